/** src/gateway/methods/ui_extra_methods.ts: usage.today, approvals.history, sessions.delete on a real store. */
import assert from "node:assert/strict";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { BusEvent } from "../../src/core/types.ts";
import { MethodRegistry } from "../../src/gateway/methods/registry.ts";
import type { MethodContext } from "../../src/gateway/methods/registry.ts";
import { registerUiExtraMethods } from "../../src/gateway/methods/ui_extra_methods.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createSessionRepo, createUsageRepo } from "../../src/store/sessions.ts";
import { createTranscriptRepo } from "../../src/store/transcripts.ts";
import { createApprovalRepo } from "../../src/tools/approval_repo.ts";
import { createApprovals } from "../../src/tools/approvals.ts";
import { toolsConfig } from "../fakes/tools_env.ts";

const DAY_MS = Date.UTC(2030, 0, 15, 12);

async function setup(active: Record<string, string> = {}) {
  const store = await openStore({ url: ":memory:" });
  const registry = new MethodRegistry();
  let now = DAY_MS;
  registerUiExtraMethods(registry, {
    db: store.db,
    audit: store.audit,
    activeRun: (k) => active[k],
    now: () => now,
  });
  /** Calls a method the way the gateway does: params parsed by its schema first. */
  const call = async (name: string, params: unknown = {}) => {
    const def = registry.get(name);
    assert.ok(def, `${name} is registered`);
    const parsed = def.params.safeParse(params);
    if (!parsed.success) throw new Error(`Invalid params: ${parsed.error.message}`);
    return await def.handler(parsed.data, {} as MethodContext) as Record<string, unknown>;
  };
  return {
    store,
    registry,
    call,
    setNow: (t: number) => void (now = t),
    [Symbol.dispose]: () => store.close(),
  };
}

Deno.test("usage.today sums runs, tokens and cost per agent and model for one UTC day", async () => {
  using t = await setup();
  const usage = createUsageRepo(t.store.db);
  const day = "2030-01-15";
  const row = (runId: string, agentId: string, model: string, i: number, o: number, c: number, d = day) =>
    usage.record({ runId, agentId, day: d, model, inputTokens: i, outputTokens: o, costUsd: c });
  await row("run_a1", "main", "openai/gpt", 100, 10, 0.01);
  await row("run_a1", "main", "openai/gpt", 50, 5, 0.005); // a second step of the same run
  await row("run_a2", "main", "openai/gpt", 10, 1, 0.001);
  await row("run_b1", "ops", "echo/echo", 7, 3, 0);
  await row("run_old", "main", "openai/gpt", 999, 999, 9, "2030-01-14");

  const r = await t.call("usage.today") as {
    day: string;
    agents: { agentId: string; model: string; runs: number; inputTokens: number; costUsd: number }[];
    total: { runs: number; inputTokens: number; outputTokens: number; costUsd: number };
  };
  assert.equal(r.day, day);
  assert.deepEqual(r.agents.map((a) => [a.agentId, a.model, a.runs, a.inputTokens]), [
    ["main", "openai/gpt", 2, 160],
    ["ops", "echo/echo", 1, 7],
  ]);
  assert.equal(r.total.runs, 3);
  assert.equal(r.total.outputTokens, 19);
  assert.ok(Math.abs(r.total.costUsd - 0.016) < 1e-9);

  const yesterday = await t.call("usage.today", { day: "2030-01-14" }) as { total: { inputTokens: number } };
  assert.equal(yesterday.total.inputTokens, 999);
  t.setNow(DAY_MS + 24 * 3600_000);
  assert.deepEqual((await t.call("usage.today") as { agents: unknown[] }).agents, []);
  await assert.rejects(t.call("usage.today", { day: "yesterday" }), /YYYY-MM-DD/);
  await assert.rejects(t.call("usage.today", { agent: "main" }), /Invalid params/);
});

Deno.test("approvals.history lists resolved approvals newest first with their decision", async () => {
  using t = await setup();
  const bus = createEventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const approvals = createApprovals({
    config: toolsConfig({ tools: { exec: { approvalTimeoutMs: 60_000 } } }).tools,
    repo: createApprovalRepo(t.store.db),
    bus,
    audit: t.store.audit,
    pollMs: 5,
  });
  const ask = (argv: string[]) =>
    approvals.authorize({ runId: "run_x", sessionKey: "agent:main:main", tool: "exec", argv, cwd: "/ws" });
  const idOf = async (n: number) => {
    for (let i = 0; i < 200 && events.filter((e) => e.event === "approval.requested").length < n; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return (events.filter((e) => e.event === "approval.requested")[n - 1]!.payload as { id: string }).id;
  };
  const first = ask(["rm", "-rf", "build"]);
  const a1 = await idOf(1);
  await approvals.resolve(a1, "deny", "owner");
  await assert.rejects(first, /denied/);
  const second = ask(["ls", "-la"]);
  const a2 = await idOf(2);
  await new Promise((r) => setTimeout(r, 2)); // distinct resolvedAt
  await approvals.resolve(a2, "allow-always", "owner");
  await second;
  const pending = ask(["curl", "example.com"]);
  const a3 = await idOf(3);

  const r = await t.call("approvals.history") as {
    approvals: { id: string; decision?: string; status: string; argv: string[]; hash?: string }[];
  };
  assert.deepEqual(r.approvals.map((a) => [a.id, a.decision, a.status]), [
    [a2, "allow-always", "allowed"],
    [a1, "deny", "denied"],
  ]);
  assert.deepEqual(r.approvals[0]!.argv, ["ls", "-la"]);
  assert.equal(r.approvals[0]!.hash, undefined, "the binding hash is not sent");
  assert.equal(
    (await t.call("approvals.history", { limit: 1 }) as { approvals: unknown[] }).approvals.length,
    1,
  );
  await assert.rejects(t.call("approvals.history", { limit: 0 }), /Invalid params/);

  await approvals.resolve(a3, "deny", "owner");
  await assert.rejects(pending, /denied/);
});

Deno.test("sessions.delete removes the session and its transcript; refuses a missing or busy session", async () => {
  using t = await setup({ "agent:main:busy": "run_busy" });
  const sessions = createSessionRepo(t.store.db);
  const transcripts = createTranscriptRepo(t.store.db);
  const s = await sessions.ensure("agent:main:old", "main");
  const keep = await sessions.ensure("agent:main:keep", "main");
  await sessions.ensure("agent:main:busy", "main");
  const entry = (text: string) => ({ kind: "user" as const, content: { text }, tokens: 1 });
  await transcripts.append(s.sessionId, [entry("a"), entry("b")]);
  await transcripts.append(keep.sessionId, [entry("c")]);

  const r = await t.call("sessions.delete", { sessionKey: "agent:main:old" });
  assert.deepEqual(r, { deleted: true, sessionKey: "agent:main:old", entries: 2 });
  assert.equal(await sessions.get("agent:main:old"), undefined);
  assert.equal((await transcripts.list(s.sessionId)).length, 0);
  assert.equal((await transcripts.list(keep.sessionId)).length, 1, "other transcripts stay");
  const audit = await t.store.audit.list({ kind: "session.delete" });
  assert.equal(audit[0]?.sessionKey, "agent:main:old");

  await assert.rejects(t.call("sessions.delete", { sessionKey: "agent:main:old" }), /No session/);
  await assert.rejects(t.call("sessions.delete", { sessionKey: "agent:main:busy" }), /run_busy/);
  assert.ok(await sessions.get("agent:main:busy"));
  await assert.rejects(t.call("sessions.delete", { sessionKey: "" }), /Invalid params/);
});

Deno.test("methods already registered are left alone", async () => {
  using t = await setup();
  const store: Store = t.store;
  // Registering twice (the gateway already has them) neither throws nor replaces anything.
  const before = t.registry.get("usage.today");
  registerUiExtraMethods(t.registry, { db: store.db, audit: store.audit });
  assert.equal(t.registry.get("usage.today"), before);
});
