import assert from "node:assert/strict";
import { resolveToolPolicy } from "../../src/tools/policy.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import type { ToolGroup } from "../../src/tools/types.ts";
import { toolsConfig } from "../fakes/tools_env.ts";

const TOOLS: [string, ToolGroup][] = [
  ["current_time", "util"],
  ["read", "fs"],
  ["exec", "runtime"],
  ["web_fetch", "web"],
  ["browser", "browser"],
  ["message", "messaging"],
  ["sessions_list", "sessions"],
  ["sessions_spawn", "sessions"],
  ["cron", "automation"],
];

const telegramWithGroups = (groups: Record<string, { tools?: { deny: string[] } }>) => ({
  telegram: { accounts: { main: { botToken: "123:abc", groups } } },
});

const table: { name: string; config: ConfigInput; scope?: Record<string, string>; allowed: string[] }[] = [
  {
    name: "default profile is coding",
    config: {},
    allowed: ["current_time", "read", "exec", "web_fetch", "sessions_list", "sessions_spawn"],
  },
  { name: "minimal", config: { tools: { profile: "minimal" } }, allowed: ["current_time"] },
  {
    name: "messaging",
    config: { tools: { profile: "messaging" } },
    allowed: ["current_time", "message", "sessions_list"],
  },
  { name: "full", config: { tools: { profile: "full" } }, allowed: TOOLS.map(([n]) => n) },
  {
    name: "allow adds a name and a group",
    config: { tools: { profile: "minimal", allow: ["exec", "group:web"] } },
    allowed: ["current_time", "exec", "web_fetch"],
  },
  {
    name: "deny wins over the profile",
    config: { tools: { profile: "full", deny: ["group:runtime", "cron"] } },
    allowed: ["current_time", "read", "web_fetch", "browser", "message", "sessions_list", "sessions_spawn"],
  },
  {
    name: "deny wins over allow",
    config: { tools: { profile: "minimal", allow: ["*"], deny: ["exec"] } },
    allowed: TOOLS.map(([n]) => n).filter((n) => n !== "exec"),
  },
  { name: "deny *", config: { tools: { profile: "full", deny: ["*"] } }, allowed: [] },
  {
    name: "per-agent profile and deny",
    config: {
      agents: {
        list: [{ id: "main" }, {
          id: "kid",
          tools: { profile: "messaging", deny: ["message"], allow: ["read"] },
        }],
      },
    },
    scope: { agentId: "kid" },
    allowed: ["current_time", "read", "sessions_list"],
  },
  {
    name: "per-group deny from the session key",
    config: {
      tools: { profile: "full" },
      channels: telegramWithGroups({ "-100": { tools: { deny: ["exec", "group:fs"] } } }),
    },
    scope: { agentId: "main", sessionKey: "agent:main:telegram:group:-100" },
    allowed: TOOLS.map(([n]) => n).filter((n) => n !== "exec" && n !== "read"),
  },
  {
    name: "wildcard group settings apply to other groups, not DMs",
    config: {
      tools: { profile: "full" },
      channels: telegramWithGroups({ "*": { tools: { deny: ["group:runtime"] } } }),
    },
    scope: { agentId: "main", channel: "telegram", groupId: "-555" },
    allowed: TOOLS.map(([n]) => n).filter((n) => n !== "exec"),
  },
  {
    name: "a DM is not a group",
    config: {
      tools: { profile: "full" },
      channels: telegramWithGroups({ "*": { tools: { deny: ["exec"] } } }),
    },
    scope: { agentId: "main", sessionKey: "agent:main:telegram:direct:42" },
    allowed: TOOLS.map(([n]) => n),
  },
];

for (const row of table) {
  Deno.test(`policy: ${row.name}`, () => {
    const policy = resolveToolPolicy(toolsConfig(row.config), { agentId: "main", ...row.scope });
    const allowed = TOOLS.filter(([n, g]) => policy.allowed(n, g)).map(([n]) => n);
    assert.deepEqual(allowed, row.allowed);
  });
}

Deno.test("policy reasons name where the refusal comes from", () => {
  const config = toolsConfig({
    tools: { profile: "minimal", deny: ["read"] },
    channels: telegramWithGroups({ g: { tools: { deny: ["exec"] } } }),
  });
  const p = resolveToolPolicy(config, { agentId: "main", channel: "telegram", groupId: "g" });
  assert.match(p.check("exec", "runtime")!, /denied in this group chat/);
  assert.match(p.check("read", "fs")!, /denied by tools\.deny/);
  assert.match(p.check("web_fetch", "web")!, /not in the minimal profile/);
});
