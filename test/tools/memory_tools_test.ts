import assert from "node:assert/strict";
import { capabilitiesOf } from "../../src/security/capabilities.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import { createMemoryService } from "../../src/memory/service.ts";
import { openStore } from "../../src/store/mod.ts";
import { createMemoryTools } from "../../src/tools/memory.ts";
import { resolveToolPolicy } from "../../src/tools/policy.ts";
import { fixedClock, memoryConfig, writeCorpus } from "../memory/fixture.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

async function rig() {
  const env = await toolsEnv();
  const store = await openStore({ url: `file:${env.root}/talon.db` });
  const config = memoryConfig({});
  const memory = createMemoryService({
    db: store.db,
    config: () => config,
    workspaceFor: () => env.workspace,
    clock: fixedClock(Date.UTC(2025, 0, 14)),
  });
  const isOwner = (ctx: ToolContext) => capabilitiesOf(ctx.principal ?? { kind: "system" }).ownerOnlyTools;
  const reg = toolsRegistry(createMemoryTools({ memory, isOwner }));
  await writeCorpus(env.workspace);
  await Deno.writeTextFile(`${env.workspace}/AGENTS.md`, "secret instructions");
  return {
    env,
    reg,
    async [Symbol.asyncDispose]() {
      store.close();
      await env[Symbol.asyncDispose]();
    },
  };
}

Deno.test("memory_search and memory_get answer the owner's main session", async () => {
  await using r = await rig();
  const owner = r.env.ctx({ principal: { kind: "owner" } });
  const s = await r.reg.execute("memory_search", { query: "Zephyrine", k: 2 }, owner);
  assert.equal(s.isError, undefined, s.content);
  assert.match(
    s.content,
    /^MEMORY\.md:\d+-\d+ \(score [\d.]+\)\n {2}# Memory\n\n {2}## People[\s\S]*Zephyrine/,
  );
  const g = await r.reg.execute(
    "memory_get",
    { path: "memory/2025-01-12.md", from: 3, lines: 1 },
    r.env.ctx(),
  );
  assert.equal(
    g.content,
    "memory/2025-01-12.md lines 3-3 of 6\nBooked a dentist appointment for next Tuesday at 9.",
  );
});

Deno.test("non-owner principals (group member, DM contact, API client, hook, cron) are refused memory", async () => {
  await using r = await rig();
  for (const kind of ["group", "user", "api", "hook", "cron"] as const) {
    const ctx = r.env.ctx({ sessionKey: "agent:main:telegram:group:-100", principal: { kind, id: "x" } });
    const offered = r.reg.specs(ctx).map((t) => t.name);
    assert.deepEqual(
      offered.filter((n) => n.startsWith("memory_")),
      [],
      `${kind} is not offered memory tools`,
    );
    for (
      const [tool, args] of [["memory_search", { query: "sister" }], ["memory_get", { path: "MEMORY.md" }]]
    ) {
      const res = await r.reg.execute(tool as string, args as Record<string, unknown>, ctx);
      assert.equal(res.isError, true, `${tool} as ${kind}`);
      assert.match(res.content, /^Denied: /);
      assert.doesNotMatch(res.content, /Zephyrine/);
    }
  }
});

Deno.test("memory_get reads only memory files, inside the workspace", async () => {
  await using r = await rig();
  const cases: [string, RegExp][] = [
    ["AGENTS.md", /^NotCapable: memory_get AGENTS\.md: only MEMORY\.md and memory\/\*\.md/],
    ["memory/../AGENTS.md", /^NotCapable: .*"\.\."/],
    ["/etc/passwd", /^NotCapable/],
    ["memory/none.md", /^NotFound/],
  ];
  for (const [path, pattern] of cases) {
    const res = await r.reg.execute("memory_get", { path }, r.env.ctx({ principal: { kind: "owner" } }));
    assert.equal(res.isError, true, path);
    assert.match(res.content, pattern);
  }
  const bad = await r.reg.execute(
    "memory_search",
    { query: "" },
    r.env.ctx({ principal: { kind: "owner" } }),
  );
  assert.match(bad.content, /^InvalidInput/);
});

Deno.test("memory tools are in the coding and messaging profiles, not minimal", () => {
  for (const [profile, allowed] of [["coding", true], ["messaging", true], ["minimal", false]] as const) {
    const policy = resolveToolPolicy(toolsConfig({ tools: { profile } }), { agentId: "main" });
    assert.equal(policy.allowed("memory_search", "memory"), allowed, profile);
  }
});
