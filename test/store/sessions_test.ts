import assert from "node:assert/strict";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { createSessionRepo, createUsageRepo, utcDay } from "../../src/store/sessions.ts";
import { createTranscriptRepo } from "../../src/store/transcripts.ts";

Deno.test("sessions: ensure creates once, reset gives a new sessionId and zeroes counters", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    let t = 1000;
    const sessions = createSessionRepo(store.db, () => t);
    const a = await sessions.ensure("agent:main:main", "main");
    const again = await sessions.ensure("agent:main:main", "other");
    assert.equal(again.sessionId, a.sessionId);
    assert.equal(again.agentId, "main");
    await sessions.addUsage("agent:main:main", { inputTokens: 10, outputTokens: 5, costUsd: 0.25 });
    await sessions.addUsage("agent:main:main", { inputTokens: 1, outputTokens: 2, costUsd: 0.5 });
    await sessions.setModel("agent:main:main", "openai/gpt-x");
    t = 2000;
    await sessions.setLastChannel("agent:main:main", { channel: "telegram", peer: "42" });
    const s = (await sessions.get("agent:main:main"))!;
    assert.deepEqual([s.inputTokens, s.outputTokens, s.costUsd], [11, 7, 0.75]);
    assert.equal(s.model, "openai/gpt-x");
    assert.deepEqual(s.lastChannel, { channel: "telegram", peer: "42" });
    assert.equal(s.updatedAt, 2000);
    const r = await sessions.reset("agent:main:main", "main");
    assert.notEqual(r.sessionId, a.sessionId);
    assert.deepEqual([r.inputTokens, r.outputTokens, r.costUsd], [0, 0, 0]);
    assert.equal(r.model, "openai/gpt-x", "the model override survives a reset");
    assert.equal(await sessions.get("nope"), undefined);
  } finally {
    store.close();
  }
});

Deno.test("sessions: settings merge and null removes; list filters by agent, newest first", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    let t = 1;
    const sessions = createSessionRepo(store.db, () => t++);
    await sessions.ensure("k1", "main");
    await sessions.ensure("k2", "ops");
    await sessions.ensure("k3", "main");
    assert.deepEqual(await sessions.updateSettings("k1", { queueMode: "steer", x: 1 }), {
      queueMode: "steer",
      x: 1,
    });
    assert.deepEqual(await sessions.updateSettings("k1", { x: null }), { queueMode: "steer" });
    assert.deepEqual((await sessions.get("k1"))!.settings, { queueMode: "steer" });
    assert.deepEqual((await sessions.list()).map((s) => s.sessionKey), ["k1", "k3", "k2"]);
    assert.deepEqual((await sessions.list({ agentId: "main" })).map((s) => s.sessionKey), ["k1", "k3"]);
    assert.equal(await sessions.delete("k2"), true);
    assert.equal(await sessions.delete("k2"), false);
  } finally {
    store.close();
  }
});

Deno.test("usage: daily totals per agent and day", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const usage = createUsageRepo(store.db);
    const day = utcDay(Date.UTC(2025, 4, 6, 23, 59));
    assert.equal(day, "2025-05-06");
    await usage.record({
      runId: "r1",
      agentId: "main",
      day,
      inputTokens: 100,
      outputTokens: 10,
      costUsd: 0.5,
    });
    await usage.record({
      runId: "r2",
      agentId: "main",
      day,
      inputTokens: 50,
      outputTokens: 5,
      costUsd: 0.25,
    });
    await usage.record({
      runId: "r3",
      agentId: "main",
      day: "2025-05-07",
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 9,
    });
    await usage.record({ runId: "r4", agentId: "ops", day, inputTokens: 1, outputTokens: 1, costUsd: 9 });
    assert.deepEqual(await usage.totalForDay("main", day), {
      inputTokens: 150,
      outputTokens: 15,
      costUsd: 0.75,
    });
    assert.deepEqual(await usage.totalForDay("none", day), { inputTokens: 0, outputTokens: 0, costUsd: 0 });
    assert.equal((await usage.forRun("r2"))[0]!.outputTokens, 5);
  } finally {
    store.close();
  }
});

Deno.test("transcripts: seq per session, list with fromSeq/limit/kinds, last", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const tr = createTranscriptRepo(store.db);
    const a = await tr.append("s1", [
      { kind: "user", content: { text: "hi" }, runId: "r1", tokens: 1 },
      { kind: "assistant", content: { text: "hello" }, runId: "r1", tokens: 2 },
    ]);
    await tr.append("s2", [{ kind: "user", content: { text: "other" }, tokens: 1 }]);
    await tr.append("s1", [{ kind: "notice", content: { text: "n" }, tokens: 0 }]);
    assert.deepEqual(a.map((e) => e.seq), [1, 2]);
    const all = await tr.list("s1");
    assert.deepEqual(all.map((e) => [e.seq, e.kind]), [[1, "user"], [2, "assistant"], [3, "notice"]]);
    assert.deepEqual((await tr.list("s1", { limit: 2 })).map((e) => e.seq), [2, 3]);
    assert.deepEqual((await tr.list("s1", { fromSeq: 2 })).map((e) => e.seq), [2, 3]);
    assert.deepEqual((await tr.list("s1", { kinds: ["user", "notice"] })).map((e) => e.seq), [1, 3]);
    assert.equal((await tr.last("s1", "assistant"))?.seq, 2);
    assert.equal(await tr.last("s1", "compaction"), undefined);
    assert.deepEqual((await tr.forRun("r1")).map((e) => e.content), [{ text: "hi" }, { text: "hello" }]);
  } finally {
    store.close();
  }
});

Deno.test("transcripts and sessions persist across reopening a file database", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = fileUrl(`${dir}/talon.db`);
    let store = await openStore({ url });
    const s = await createSessionRepo(store.db).ensure("agent:main:main", "main");
    await createTranscriptRepo(store.db).append(s.sessionId, [
      { kind: "user", content: { text: "remember me" }, tokens: 3 },
    ]);
    store.close();
    store = await openStore({ url });
    try {
      const again = (await createSessionRepo(store.db).get("agent:main:main"))!;
      assert.equal(again.sessionId, s.sessionId);
      const entries = await createTranscriptRepo(store.db).list(s.sessionId);
      assert.deepEqual(entries.map((e) => e.content), [{ text: "remember me" }]);
      assert.equal(entries[0]!.tokens, 3);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sessions.open: creates once (created), records the channel and activity time in one call", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    let t = 1000;
    const sessions = createSessionRepo(store.db, () => t);
    const first = await sessions.open("agent:main:x", "main", { channel: "telegram", peer: "1" });
    assert.equal(first.created, true);
    assert.deepEqual(first.session.lastChannel, { channel: "telegram", peer: "1" });
    assert.equal(first.session.createdAt, 1000);
    await sessions.addUsage("agent:main:x", { inputTokens: 3, outputTokens: 4, costUsd: 0 });
    t = 2000;
    const second = await sessions.open("agent:main:x", "other", { channel: "discord", peer: "2" });
    assert.equal(second.created, false);
    assert.equal(second.session.sessionId, first.session.sessionId);
    assert.equal(second.session.agentId, "main");
    assert.deepEqual(second.session.lastChannel, { channel: "discord", peer: "2" });
    assert.deepEqual([second.session.inputTokens, second.session.createdAt, second.session.updatedAt], [
      3,
      1000,
      2000,
    ]);
    t = 3000;
    const third = await sessions.open("agent:main:x", "main");
    assert.deepEqual(third.session.lastChannel, { channel: "discord", peer: "2" }, "kept without a channel");
    assert.equal(third.session.updatedAt, 3000);
  } finally {
    store.close();
  }
});
