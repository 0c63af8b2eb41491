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

Deno.test("write-behind: a run's first transcript entry is written at once, its later ones queued and numbered on", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const queue = createWriteBehind(db, { flushMs: 60_000 });
  const transcripts = createTranscriptRepo(db, Date.now, queue);
  const rows = async () =>
    (await store.db.query<{ seq: number; kind: string }>(
      "SELECT seq, kind FROM transcript_entries WHERE session_id = 'ses_1' ORDER BY seq",
    )).map((r) => `${r.seq}:${r.kind}`);
  const user = (runId?: string) => ({ kind: "user" as const, content: { text: "hi" }, runId, tokens: 1 });
  const answer = (runId?: string) => ({
    kind: "assistant" as const,
    content: { text: "yo" },
    runId,
    tokens: 1,
  });
  try {
    const [first] = await transcripts.append("ses_1", [user("run_1")]);
    assert.equal(first!.seq, 1);
    assert.ok(first!.id > 0, "written, with its row id");
    const later = await transcripts.append("ses_1", [answer("run_1"), answer("run_1")]);
    assert.deepEqual(later.map((e) => [e.seq, e.id]), [[2, 0], [3, 0]], "numbered on, not written yet");
    assert.deepEqual(await rows(), ["1:user"]);

    // An entry of no run during the run: the queued ones are committed first, so the numbers do not clash.
    const [notice] = await transcripts.append("ses_1", [{
      kind: "notice",
      content: { text: "n" },
      tokens: 1,
    }]);
    assert.equal(notice!.seq, 4);
    assert.deepEqual(await rows(), ["1:user", "2:assistant", "3:assistant", "4:notice"]);

    // The next run (after the worker flushed at the end of the last) starts without committing another
    // session's queued rows.
    await transcripts.append("ses_2", [user("run_x")]);
    await transcripts.append("ses_2", [answer("run_x")]);
    const batches = db.batches.length;
    const [next] = await transcripts.append("ses_1", [user("run_2")]);
    assert.equal(next!.seq, 5);
    assert.equal(db.batches.length, batches, "ses_2's queued answer is still queued");
    // Reads see what is queued.
    assert.deepEqual((await transcripts.list("ses_2")).map((e) => e.kind), ["user", "assistant"]);
  } finally {
    await queue.close();
    store.close();
  }
});
