import assert from "node:assert/strict";
import { answer } from "../fakes/scripted_model.ts";
import { harness } from "./helpers.ts";
import { agentStoreFrom } from "../../src/agent/mod.ts";

Deno.test("run: streams events in order on the bus and persists the turn", async () => {
  const h = await harness({
    config: {
      agents: { defaults: { model: { primary: "test/model-a" } } },
      models: { prices: { "test/model-a": { input: 2, output: 10 } } },
    },
    steps: [answer("Hello there, friend!", { input: 1000, output: 200 })],
  });
  try {
    const handle = await h.runtime.start({
      agentId: "main",
      sessionKey: "agent:main:main",
      text: "hi",
      source: { channel: "webchat" },
    });
    const r = await handle.done;
    assert.equal(r.status, "ok");
    assert.equal(r.text, "Hello there, friend!");
    assert.equal(r.steps, 1);
    assert.equal(r.attempts, 1);
    assert.equal(r.model, "test/model-a");
    assert.equal(r.usage.inputTokens, 1000);
    assert.equal(r.usage.outputTokens, 200);
    assert.ok(Math.abs(r.usage.costUsd - (1000 * 2 + 200 * 10) / 1e6) < 1e-12);
    assert.ok(r.usage.requestBytes > 100);

    const evs = h.agentEvents(r.runId);
    assert.deepEqual(evs.map((e) => e.seq), evs.map((_, i) => i + 1), "seq is 1..n");
    assert.ok(evs.every((e) => e.runId === r.runId));
    assert.ok(h.events.filter((e) => e.runId === r.runId).every((e) => e.sessionKey === "agent:main:main"));
    assert.equal(evs[0]!.stream, "lifecycle");
    assert.equal(evs[0]!.data.phase, "start");
    const last = evs[evs.length - 1]!;
    assert.equal(last.stream, "lifecycle");
    assert.equal(last.data.phase, "end");
    assert.equal(last.data.status, "ok");
    const deltas = evs.filter((e) => e.stream === "assistant").map((e) => e.data.delta).join("");
    assert.equal(deltas, "Hello there, friend!");
    const assistantTexts = evs.filter((e) => e.stream === "assistant").map((e) => e.data.text as string);
    assert.equal(assistantTexts[assistantTexts.length - 1], "Hello there, friend!");

    const chat = h.chatEvents(r.runId);
    assert.deepEqual(chat.map((c) => c.seq), chat.map((_, i) => i + 1));
    assert.ok(chat.slice(0, -1).every((c) => c.state === "delta"));
    assert.equal(chat[chat.length - 1]!.state, "final");
    assert.equal(chat[chat.length - 1]!.message.content, "Hello there, friend!");

    // Transcript, session counters, usage, milestones, audit.
    const hist = await h.runtime.history("agent:main:main");
    assert.deepEqual(hist.entries.map((e) => e.kind), ["user", "assistant"]);
    assert.deepEqual(hist.entries[0]!.content, { text: "hi", source: { channel: "webchat" } });
    assert.ok(hist.entries.every((e) => e.runId === r.runId && e.tokens > 0));
    assert.equal(hist.session!.inputTokens, 1000);
    assert.equal(hist.session!.outputTokens, 200);
    assert.deepEqual(hist.session!.lastChannel, { channel: "webchat" });
    const repos = agentStoreFrom(h.store);
    assert.equal((await repos.usage.forRun(r.runId))[0]!.outputTokens, 200);
    const ms = await h.store.milestones.forRun(r.runId);
    assert.deepEqual(ms.map((m) => m.kind), ["run.start", "model.attempt", "run.end"]);
    assert.equal(ms[1]!.data.provider, "test");
    assert.equal(ms[1]!.data.model, "model-a");
    assert.equal(ms[1]!.data.inputTokens, 1000);
    assert.equal(ms[2]!.data.status, "ok");
    const audit = await h.store.audit.list({ runId: r.runId });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.kind, "agent.run");
    assert.equal(audit[0]!.outcome, "ok");
    assert.equal(audit[0]!.actor, "webchat");

    // The model got the system prompt with workspace files and the user message.
    const req = h.model.calls[0]!.req;
    assert.match(req.system, /## AGENTS\.md/);
    assert.match(req.system, /2025-05-06 12:00 UTC/);
    assert.deepEqual(req.messages, [{ role: "user", content: "hi" }]);
    assert.deepEqual(await h.runtime.wait(r.runId, 10), r);
  } finally {
    await h.close();
  }
});

Deno.test("run: the second turn sends the first turn as history; failover attempts are recorded", async () => {
  const h = await harness({
    steps: [
      answer("one"),
      {
        events: answer("two"),
        failedAttempts: [{ provider: "test", model: "model-a", errorKind: "rate_limit", ms: 3 }],
      },
    ],
  });
  try {
    const a = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "first" })).done;
    assert.equal(a.usage.estimated, true, "no usage reported → estimates");
    assert.ok(a.usage.inputTokens > 0 && a.usage.outputTokens > 0);
    const b = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "second" })).done;
    assert.equal(b.text, "two");
    assert.equal(b.attempts, 2);
    assert.deepEqual(h.model.calls[1]!.req.messages, [
      { role: "user", content: "first" },
      { role: "assistant", content: "one" },
      { role: "user", content: "second" },
    ]);
    const attempts = (await h.store.milestones.forRun(b.runId)).filter((m) => m.kind === "model.attempt");
    assert.deepEqual(attempts.map((m) => [m.data.ok, m.data.failoverReason]), [[false, "rate_limit"], [
      true,
      undefined,
    ]]);
  } finally {
    await h.close();
  }
});

Deno.test("run: a new session's first turn reads no transcript; the next one reads it", async () => {
  const reads: string[] = [];
  const h = await harness({
    steps: [answer("one"), answer("two")],
    wrapStore: (s) => ({
      ...s,
      transcripts: {
        ...s.transcripts,
        list: (id, o) => (reads.push("list"), s.transcripts.list(id, o)),
        last: (id, kind) => (reads.push("last"), s.transcripts.last(id, kind)),
      },
    }),
  });
  try {
    await (await h.runtime.start({ agentId: "main", sessionKey: "fresh", text: "first" })).done;
    assert.deepEqual(reads, [], "the session was created by this run: nothing to read");
    const b = await (await h.runtime.start({ agentId: "main", sessionKey: "fresh", text: "second" })).done;
    assert.equal(b.text, "two");
    assert.ok((reads as string[]).includes("list"));
    assert.equal(h.model.calls[1]!.req.messages.length, 3, "the first turn is history of the second");
  } finally {
    await h.close();
  }
});

Deno.test("run: runs of one session execute one after another", async () => {
  const h = await harness({ steps: [answer("A"), answer("B")] });
  try {
    const one = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "1" });
    const two = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "2" });
    const [r1, r2] = await Promise.all([one.done, two.done]);
    assert.equal(r1.text, "A");
    assert.equal(r2.text, "B");
    const kinds = (await h.runtime.history("s")).entries.map((e) => [e.kind, e.runId === r1.runId ? 1 : 2]);
    assert.deepEqual(kinds, [["user", 1], ["assistant", 1], ["user", 2], ["assistant", 2]]);
  } finally {
    await h.close();
  }
});

Deno.test("run: unknown agent, duplicate runId and bad input are refused", async () => {
  const h = await harness({ steps: [answer("x")] });
  try {
    await assert.rejects(
      h.runtime.start({ agentId: "ghost", sessionKey: "s", text: "hi" }),
      (e: Error & { code?: string }) => e.code === "NOT_FOUND" && /Unknown agent "ghost"/.test(e.message),
    );
    await assert.rejects(h.runtime.start({ agentId: "main", sessionKey: "", text: "hi" }), TypeError);
    await assert.rejects(
      h.runtime.start({ agentId: "main", sessionKey: "s", text: undefined as unknown as string }),
      TypeError,
    );
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "hi", runId: "run_1" }))
      .done;
    assert.equal(r.runId, "run_1");
    await assert.rejects(
      h.runtime.start({ agentId: "main", sessionKey: "s", text: "again", runId: "run_1" }),
      (e: Error & { code?: string }) => e.code === "CONFLICT",
    );
    assert.deepEqual(await h.runtime.wait("run_nope", 5), { runId: "run_nope", status: "unknown" });
  } finally {
    await h.close();
  }
});

Deno.test("run: no provider configured → the reply explains how to add one, without a model call", async () => {
  const h = await harness({ config: {} });
  try {
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "hi" })).done;
    assert.equal(r.status, "error");
    assert.equal(r.error?.code, "UNAVAILABLE");
    assert.match(r.text, /OPENAI_API_KEY/);
    assert.match(r.text, /ANTHROPIC_API_KEY/);
    assert.match(r.text, /TALON_MODEL/);
    assert.match(r.text, /echo\/echo/);
    assert.equal(h.model.calls.length, 0);
    const chat = h.chatEvents(r.runId);
    assert.equal(chat[chat.length - 1]!.state, "error");
    assert.match(chat[chat.length - 1]!.message.content, /providers/);
  } finally {
    await h.close();
  }
});

Deno.test("run: transcripts survive closing and reopening a file database (restart)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon-persist-" });
  try {
    const url = `file:${dir}/talon.db`;
    const first = await harness({ storeUrl: url, home: dir, steps: [answer("noted: blue")] });
    try {
      await (await first.runtime.start({ agentId: "main", sessionKey: "s", text: "my colour is blue" })).done;
    } finally {
      await first.close();
    }
    const second = await harness({ storeUrl: url, home: dir, steps: [answer("blue")] });
    try {
      const before = await second.runtime.history("s");
      assert.deepEqual(before.entries.map((e) => e.kind), ["user", "assistant"]);
      const r = await (await second.runtime.start({ agentId: "main", sessionKey: "s", text: "my colour?" }))
        .done;
      assert.equal(r.status, "ok");
      assert.deepEqual(second.model.calls[0]!.req.messages.slice(0, 2), [
        { role: "user", content: "my colour is blue" },
        { role: "assistant", content: "noted: blue" },
      ]);
      assert.equal((await second.runtime.listSessions()).length, 1);
      assert.equal((await second.runtime.history("s", { limit: 1 })).entries[0]!.kind, "assistant");
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
