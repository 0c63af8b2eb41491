import assert from "node:assert/strict";
import type { ConfigInput } from "../../src/config/schema.ts";
import type { PrincipalKind } from "../../src/core/principal.ts";
import { createSessionTools } from "../../src/tools/sessions.ts";
import { resolveToolPolicy } from "../../src/tools/policy.ts";
import type { ToolGroup } from "../../src/tools/types.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";
import { memorySessions } from "../fakes/tools_ports.ts";

const TOOLS: [string, ToolGroup][] = [
  ["current_time", "util"],
  ["read", "fs"],
  ["list", "fs"],
  ["write", "fs"],
  ["exec", "runtime"],
  ["message", "messaging"],
  ["sessions_list", "sessions"],
  ["sessions_spawn", "sessions"],
  ["cron", "automation"],
];

function allowed(config: ConfigInput, kind: PrincipalKind): string[] {
  const policy = resolveToolPolicy(toolsConfig(config), { agentId: "main", principal: { kind } });
  return TOOLS.filter(([n, g]) => policy.allowed(n, g)).map(([n]) => n);
}

const table: { name: string; config: ConfigInput; kind: PrincipalKind; allowed: string[] }[] = [
  {
    name: "owner: the configured profile",
    config: { tools: { allow: ["cron"] } },
    kind: "owner",
    allowed: ["current_time", "read", "list", "write", "exec", "sessions_list", "sessions_spawn", "cron"],
  },
  {
    name: "cron run: configured profile, but not the owner-only cron tool",
    config: { tools: { allow: ["cron"] } },
    kind: "cron",
    allowed: ["current_time", "read", "list", "write", "exec", "sessions_list", "sessions_spawn"],
  },
  {
    name: "user: messaging + read/list, capped by the configured coding profile",
    config: {},
    kind: "user",
    allowed: ["current_time", "read", "list", "sessions_list"],
  },
  {
    name: "user with message allowed globally",
    config: { tools: { allow: ["message"] } },
    kind: "user",
    allowed: ["current_time", "read", "list", "message", "sessions_list"],
  },
  { name: "group: minimal", config: {}, kind: "group", allowed: ["current_time"] },
  { name: "hook: minimal", config: {}, kind: "hook", allowed: ["current_time"] },
  {
    name: "api: minimal even with tools.allow *",
    config: { tools: { allow: ["*"] } },
    kind: "api",
    allowed: ["current_time"],
  },
  {
    name: "byPrincipal widens a group, never to cron",
    config: { tools: { allow: ["cron"], byPrincipal: { group: { allow: ["exec", "cron"] } } } },
    kind: "group",
    allowed: ["current_time", "exec"],
  },
  {
    name: "byPrincipal never goes past the configured policy",
    config: { tools: { profile: "messaging", byPrincipal: { hook: { profile: "full" } } } },
    kind: "hook",
    allowed: ["current_time", "message", "sessions_list"],
  },
  {
    name: "byPrincipal deny narrows",
    config: { tools: { byPrincipal: { user: { deny: ["read"] } } } },
    kind: "user",
    allowed: ["current_time", "list", "sessions_list"],
  },
  {
    name: "global deny still wins for widened principals",
    config: { tools: { deny: ["exec"], byPrincipal: { api: { profile: "coding" } } } },
    kind: "api",
    allowed: ["current_time", "read", "list", "write", "sessions_list", "sessions_spawn"],
  },
];

for (const c of table) {
  Deno.test(`tool policy by principal: ${c.name}`, () => {
    assert.deepEqual(allowed(c.config, c.kind), c.allowed);
  });
}

Deno.test("tool policy by principal: the refusal names the principal and the way to allow it", () => {
  const policy = resolveToolPolicy(toolsConfig({}), { agentId: "main", principal: { kind: "group" } });
  assert.match(policy.check("exec", "runtime")!, /not available to group runs \(tools\.byPrincipal\.group/);
  const owner = resolveToolPolicy(toolsConfig({ tools: { allow: ["cron"] } }), {
    agentId: "main",
    principal: { kind: "hook" },
  });
  assert.match(owner.check("cron", "automation")!, /for the owner only/);
});

Deno.test("session tools: a non-owner reaches its own session and the sub-agents it spawned, nothing else", async () => {
  await using env = await toolsEnv();
  const api = memorySessions();
  api.sessions.push(
    { sessionKey: "agent:main:main", agentId: "main", updatedAt: 3 },
    { sessionKey: "agent:main:telegram:group:-1", agentId: "main", updatedAt: 2 },
  );
  api.transcripts.set("agent:main:main", [{ role: "user", text: "owner secret", ts: 1 }]);
  const reg = toolsRegistry(createSessionTools({ sessions: api, agentIds: () => ["main"] }), {
    config: toolsConfig({
      tools: { profile: "full", byPrincipal: { group: { allow: ["group:sessions"] } } },
    }),
  });
  const own = "agent:main:telegram:group:-1";
  const ctx = env.ctx({ sessionKey: own, principal: { kind: "group" } });
  const history = await reg.execute("sessions_history", { sessionKey: "agent:main:main" }, ctx);
  assert.match(history.content, /^Denied: session agent:main:main is not this conversation/);
  assert.doesNotMatch(history.content, /owner secret/);
  const send = await reg.execute("sessions_send", { sessionKey: "agent:main:main", text: "obey" }, ctx);
  assert.match(send.content, /^Denied/);
  assert.equal(api.transcripts.get("agent:main:main")!.length, 1);
  const listed = await reg.execute("sessions_list", {}, ctx);
  assert.doesNotMatch(listed.content, /agent:main:main /);
  const spawned = await reg.execute("sessions_spawn", { task: "count" }, ctx);
  const child = (spawned.data as { sessionKey: string }).sessionKey;
  api.transcripts.set(child, [{ role: "assistant", text: "child says hi", ts: 1 }]);
  assert.match((await reg.execute("sessions_history", { sessionKey: child }, ctx)).content, /child says hi/);
  assert.match((await reg.execute("sessions_list", {}, ctx)).content, new RegExp(child));
  const owner = env.ctx({ sessionKey: own, principal: { kind: "owner" } });
  assert.match(
    (await reg.execute("sessions_history", { sessionKey: "agent:main:main" }, owner)).content,
    /secret/,
  );
});
