import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createBufferedMilestoneRepo } from "../../src/store/milestones.ts";
import type { Db } from "../../src/store/db.ts";
import { createTestClock } from "../helpers/fake_clock.ts";

/** The store's Db, counting batches. */
function counting(db: Db): Db & { batches: number[] } {
  const batches: number[] = [];
  return Object.assign(Object.create(db) as Db, {
    batches,
    batch: (statements: Parameters<Db["batch"]>[0]) => {
      batches.push(statements.length);
      return db.batch(statements);
    },
  });
}

Deno.test("buffered milestones: one transaction per batch, in order, and a timeline read flushes first", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  let t = 1000;
  const clock = createTestClock();
  const repo = createBufferedMilestoneRepo(db, { clock, now: () => t++, flushMs: 50 });
  try {
    for (const kind of ["queued", "lane.start", "run.start", "model.attempt", "run.end"]) {
      await repo.add({ runId: "run_1", sessionKey: "agent:main:main", kind, data: { kind } });
    }
    await repo.add({ runId: "run_2", kind: "queued", data: {} });
    assert.deepEqual(await store.milestones.forRun("run_1"), [], "buffered, not written yet");
    const timeline = await repo.forRun("run_1");
    assert.deepEqual(timeline.map((m) => [m.kind, m.ts]), [
      ["queued", 1000],
      ["lane.start", 1001],
      ["run.start", 1002],
      ["model.attempt", 1003],
      ["run.end", 1004],
    ]);
    assert.deepEqual(db.batches, [6], "six milestones, one transaction");

    // Without a read, the timer writes them.
    await repo.add({ runId: "run_3", kind: "queued", data: {} });
    await clock.advance(49);
    assert.deepEqual(db.batches, [6], "not before flushMs");
    await clock.advance(1);
    await repo.flush(); // the timer's batch has been started; wait for it to commit
    assert.equal((await store.milestones.forRun("run_3")).length, 1);
    assert.deepEqual(db.batches, [6, 1]);
  } finally {
    await repo.close();
    store.close();
  }
});

Deno.test("buffered milestones: a full buffer is written at once; close flushes; later adds go straight in", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const repo = createBufferedMilestoneRepo(db, { flushMs: 60_000, maxBatch: 3 });
  try {
    for (let i = 0; i < 7; i++) await repo.add({ runId: "run_x", kind: "tick", data: { i } });
    await repo.flush();
    assert.deepEqual(db.batches, [3, 3, 1]);
    await repo.add({ runId: "run_y", kind: "queued", data: {} });
    await repo.close();
    assert.equal((await store.milestones.forRun("run_y")).length, 1, "close wrote the rest");
    await repo.add({ runId: "run_z", kind: "queued", data: {} });
    assert.equal((await store.milestones.forRun("run_z")).length, 1, "after close, written at once");
    assert.deepEqual((await store.milestones.forRun("run_x")).map((m) => m.data.i), [0, 1, 2, 3, 4, 5, 6]);
  } finally {
    store.close();
  }
});

Deno.test("buffered milestones: a failed batch is reported and later batches still commit", async () => {
  const store = await openStore({ url: ":memory:" });
  const errors: unknown[] = [];
  let fail = true;
  const flaky = Object.assign(Object.create(store.db) as Db, {
    batch: (statements: Parameters<Db["batch"]>[0]) =>
      fail ? Promise.reject(new Error("disk full")) : store.db.batch(statements),
  });
  const repo = createBufferedMilestoneRepo(flaky, { flushMs: 60_000, onError: (e) => errors.push(e) });
  try {
    await repo.add({ runId: "run_a", kind: "queued", data: {} });
    await assert.rejects(repo.flush(), /disk full/);
    assert.equal(errors.length, 1);
    fail = false;
    await repo.add({ runId: "run_b", kind: "queued", data: {} });
    await repo.flush();
    assert.equal((await store.milestones.forRun("run_b")).length, 1);
    assert.equal((await store.milestones.forRun("run_a")).length, 0, "the failed batch is not retried");
  } finally {
    await repo.close();
    store.close();
  }
});
