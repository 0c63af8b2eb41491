import assert from "node:assert/strict";
import { openStore, withBufferedMilestones } from "../../src/store/mod.ts";
import type { Db } from "../../src/store/db.ts";
import { afterQueue, createWriteBehind } from "../../src/store/write_behind.ts";
import { agentStoreFrom } from "../../src/agent/mod.ts";
import { createSessionRepo, createUsageRepo } from "../../src/store/sessions.ts";
import { createAuditRepo } from "../../src/store/audit.ts";
import { createTranscriptRepo } from "../../src/store/transcripts.ts";
import { counting } from "../helpers/counting_db.ts";

const count = async (db: Db, table: string) =>
  Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

Deno.test("write-behind: a run's usage, session counters and audit row commit as one transaction; reads flush first", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const queue = createWriteBehind(db, { flushMs: 60_000 });
  const sessions = createSessionRepo(db, Date.now, queue);
  const usage = createUsageRepo(db, Date.now, queue);
  const audit = createAuditRepo(db, Date.now, queue);
  try {
    await sessions.ensure("agent:main:s1", "main");
    const runsBefore = db.runs;
    await usage.record({
      runId: "run_1",
      agentId: "main",
      sessionKey: "agent:main:s1",
      day: "2026-12-03",
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.5,
    });
    await sessions.addUsage("agent:main:s1", { inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
    await audit.record({ kind: "agent.run", outcome: "ok", runId: "run_1" });
    assert.equal(db.runs, runsBefore, "nothing written yet");
    assert.equal(await count(store.db, "usage"), 0);
    assert.equal(await count(store.db, "audit"), 0);

    // A read through the repository sees what it queued: the queue commits first, in one transaction.
    assert.deepEqual(await usage.totalForDay("main", "2026-12-03"), {
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.5,
    });
    assert.deepEqual(db.batches, [3]);
    assert.equal((await sessions.get("agent:main:s1"))?.inputTokens, 10);
    // A run's start does not wait for (or commit) another session's queued bookkeeping.
    await audit.record({ kind: "agent.run", outcome: "ok", runId: "run_2" });
    await sessions.open("agent:main:s2", "main");
    assert.deepEqual(db.batches, [3], "open did not flush the queue");
    assert.equal((await audit.list({ runId: "run_1" })).length, 1);
  } finally {
    await queue.close();
    store.close();
  }
});

Deno.test("write-behind: a worker's agent store writes its bookkeeping behind, the main thread's at once", async () => {
  const store = await openStore({ url: ":memory:" });
  const errors: unknown[] = [];
  const worker = withBufferedMilestones(store, (e) => errors.push(e), undefined, { bookkeeping: true });
  const main = withBufferedMilestones(store, (e) => errors.push(e));
  try {
    const w = agentStoreFrom(worker);
    await w.audit.record({ kind: "agent.run", outcome: "ok", runId: "run_w" });
    await w.milestones.add({ runId: "run_w", kind: "run.end", data: {} });
    assert.equal(await count(store.db, "audit"), 0, "queued in the worker");
    await worker.milestones.flush(); // what a shard worker does at the end of every job
    assert.equal(await count(store.db, "audit"), 1);
    assert.equal(await count(store.db, "events"), 1);

    assert.equal(main.bookkeeping, undefined);
    await agentStoreFrom(main).audit.record({ kind: "agent.run", outcome: "ok", runId: "run_m" });
    assert.equal(await count(store.db, "audit"), 2, "written at once on the main thread");
    assert.deepEqual(errors, []);
  } finally {
    await worker.milestones.close();
    await main.milestones.close();
    store.close();
  }
});

Deno.test("write-behind: one bad statement does not take the rest of its batch", async () => {
  const store = await openStore({ url: ":memory:" });
  const errors: unknown[] = [];
  const queue = createWriteBehind(store.db, { flushMs: 60_000, onError: (e) => errors.push(e) });
  try {
    await queue.add({ sql: "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)", args: ["a", "1", 1] });
    await queue.add({ sql: "INSERT INTO no_such_table (x) VALUES (?)", args: [1] });
    await queue.add({ sql: "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)", args: ["b", "2", 1] });
    await assert.rejects(queue.flush(), /no_such_table/);
    assert.equal(errors.length, 1, "the failure is reported once");
    assert.deepEqual(
      (await store.db.query<{ key: string }>("SELECT key FROM kv WHERE key IN ('a', 'b') ORDER BY key"))
        .map((r) => r.key),
      ["a", "b"],
    );
  } finally {
    await queue.close();
    store.close();
  }
});

Deno.test("write-behind: a direct write through afterQueue lands after the queued ones; after close adds go straight in", async () => {
  const store = await openStore({ url: ":memory:" });
  const queue = createWriteBehind(store.db, { flushMs: 60_000 });
  const db = afterQueue(store.db, queue);
  try {
    await queue.add({ sql: "INSERT INTO kv (key, value, updated_at) VALUES ('k', 'queued', 1)" });
    await db.run("UPDATE kv SET value = 'direct' WHERE key = 'k'");
    assert.equal(
      (await store.db.query<{ value: string }>("SELECT value FROM kv WHERE key = 'k'"))[0]?.value,
      "direct",
    );
    assert.equal(db.closed, false, "the view reads through to the store's Db");
    await queue.close();
    await queue.add({ sql: "INSERT INTO kv (key, value, updated_at) VALUES ('late', 'x', 1)" });
    assert.equal((await store.db.query("SELECT 1 FROM kv WHERE key = 'late'")).length, 1);
  } finally {
    store.close();
  }
});

Deno.test("write-behind: a run's session row and first transcript entry commit as one transaction; later entries are queued and numbered on", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const queue = createWriteBehind(db, { flushMs: 60_000 });
  const sessions = createSessionRepo(db, Date.now, queue);
  const transcripts = createTranscriptRepo(db, Date.now, queue);
  const rows = async (sessionId: string) =>
    (await store.db.query<{ seq: number; kind: string }>(
      "SELECT seq, kind FROM transcript_entries WHERE session_id = ? ORDER BY seq",
      [sessionId],
    )).map((r) => `${r.seq}:${r.kind}`);
  const user = (runId?: string) => ({ kind: "user" as const, content: { text: "hi" }, runId, tokens: 1 });
  const answer = (runId?: string) => ({
    kind: "assistant" as const,
    content: { text: "yo" },
    runId,
    tokens: 1,
  });
  try {
    const opened = await sessions.open("agent:main:s1", "main", { channel: "telegram", to: "42" });
    assert.equal(opened.created, true);
    assert.deepEqual(opened.session.lastChannel, { channel: "telegram", to: "42" });
    const s1 = opened.session.sessionId;
    assert.equal(await count(store.db, "sessions"), 0, "the session row is queued");
    const [first] = await transcripts.append(s1, [user("run_1")]);
    assert.equal(first!.seq, 1);
    assert.ok(first!.id > 0, "written, with its row id");
    assert.deepEqual(db.batches, [2], "the session row and the user's message: one transaction");
    assert.equal(db.runs, 0);
    assert.equal((await store.db.query<{ id: string }>("SELECT session_id AS id FROM sessions"))[0]?.id, s1);
    const later = await transcripts.append(s1, [answer("run_1"), answer("run_1")]);
    assert.deepEqual(later.map((e) => [e.seq, e.id]), [[2, 0], [3, 0]], "numbered on, not written yet");
    assert.deepEqual(await rows(s1), ["1:user"]);

    // An entry of no run during the run: the queued ones are committed first, so the numbers do not clash.
    const [notice] = await transcripts.append(s1, [{ kind: "notice", content: { text: "n" }, tokens: 1 }]);
    assert.equal(notice!.seq, 4);
    assert.deepEqual(await rows(s1), ["1:user", "2:assistant", "3:assistant", "4:notice"]);
    await queue.flush(); // the job ends

    // The next runs: an existing session is read and its update queued; whatever is queued (another
    // session's answer) commits with the next run's first entry.
    const again = await sessions.open("agent:main:s1", "main");
    assert.equal(again.created, false);
    assert.equal(again.session.sessionId, s1);
    assert.deepEqual(again.session.lastChannel, { channel: "telegram", to: "42" }, "kept when not given");
    const s2 = (await sessions.open("agent:main:s2", "main")).session.sessionId;
    const before = db.batches.length;
    await transcripts.append(s2, [user("run_x")]);
    assert.deepEqual(db.batches.slice(before), [3], "s1's update, s2's row and s2's message");
    await transcripts.append(s2, [answer("run_x")]);
    const [next] = await transcripts.append(s1, [user("run_2")]);
    assert.equal(next!.seq, 5);
    assert.deepEqual(db.batches.slice(before), [3, 2], "s2's queued answer rode along");
    assert.deepEqual((await transcripts.list(s2)).map((e) => e.kind), ["user", "assistant"]);
    assert.equal(db.runs, 0, "no statement paid a transaction of its own");
  } finally {
    await queue.close();
    store.close();
  }
});

Deno.test("write-behind: a session another writer created between open and the first entry is not written under a lost id", async () => {
  const store = await openStore({ url: ":memory:" });
  const queue = createWriteBehind(store.db, { flushMs: 60_000 });
  const sessions = createSessionRepo(store.db, Date.now, queue);
  const transcripts = createTranscriptRepo(store.db, Date.now, queue);
  try {
    const { session, created } = await sessions.open("agent:main:race", "main");
    assert.equal(created, true);
    // The main thread creates the key first (e.g. a reset), with an id of its own.
    const theirs = await createSessionRepo(store.db).ensure("agent:main:race", "main");
    assert.notEqual(theirs.sessionId, session.sessionId);
    await assert.rejects(
      transcripts.append(session.sessionId, [{
        kind: "user",
        content: { text: "hi" },
        runId: "r",
        tokens: 1,
      }]),
      (err: Error) => err.name === "StoreError" && /no longer exists/.test(err.message),
    );
    assert.equal(await count(store.db, "transcript_entries"), 0, "nothing written under the lost id");
    assert.equal((await sessions.get("agent:main:race"))?.sessionId, theirs.sessionId, "their row stands");
  } finally {
    await queue.close();
    store.close();
  }
});

Deno.test("write-behind: flushWith commits the queue and its statement together, returning the statement's rows", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const errors: unknown[] = [];
  const queue = createWriteBehind(db, { flushMs: 60_000, onError: (err) => errors.push(err) });
  const kv = (key: string) => ({
    sql: "INSERT INTO kv (key, value, updated_at) VALUES (?, '1', 0)",
    args: [key],
  });
  const returning = (key: string) => ({
    sql: "INSERT INTO kv (key, value, updated_at) VALUES (?, '2', 0) RETURNING key",
    args: [key],
  });
  try {
    await queue.add(kv("a"));
    assert.deepEqual((await queue.flushWith(returning("b"))).map((r) => r.key), ["b"]);
    assert.deepEqual(db.batches, [2]);
    // Nothing queued: the statement alone.
    assert.deepEqual((await queue.flushWith(returning("c"))).map((r) => r.key), ["c"]);
    assert.deepEqual(db.batches, [2]);
    // A bad queued row is reported; the rest of the queue and the statement are still written.
    await queue.add(kv("a"));
    await queue.add(kv("d"));
    assert.deepEqual((await queue.flushWith(returning("e"))).map((r) => r.key), ["e"]);
    assert.equal(errors.length, 1);
    // The statement's own failure rejects, and the queue before it is written.
    await queue.add(kv("f"));
    await assert.rejects(queue.flushWith(returning("e")), /UNIQUE/);
    assert.deepEqual(
      (await store.db.query<{ key: string }>("SELECT key FROM kv ORDER BY key")).map((r) => r.key),
      ["a", "b", "c", "d", "e", "f"],
    );
    await queue.close();
    assert.deepEqual(
      (await queue.flushWith(returning("g"))).map((r) => r.key),
      ["g"],
      "after close, at once",
    );
  } finally {
    store.close();
  }
});
