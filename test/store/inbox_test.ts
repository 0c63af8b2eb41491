import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createInboxRepo, inboxDedupeKey } from "../../src/store/inbox.ts";
import { createWriteBehind } from "../../src/store/write_behind.ts";
import { createTestClock } from "../helpers/fake_clock.ts";
import { counting } from "../helpers/counting_db.ts";

async function setup() {
  let t = 1000;
  const store = await openStore({ url: ":memory:" });
  const inbox = createInboxRepo(store.db, () => t);
  return { store, inbox, tick: (ms: number) => t += ms };
}

const msg = (id: string, extra: Record<string, unknown> = {}) => ({
  dedupeKey: inboxDedupeKey("telegram", "default", id),
  sessionKey: "agent:main:main",
  agentId: "main",
  payload: { text: `hello ${id}` },
  runId: `run_${id}`,
  ...extra,
});

Deno.test("inbox: accept stores a queued message and drops a duplicate delivery", async () => {
  const { store, inbox } = await setup();
  try {
    const a = await inbox.accept(msg("1"));
    assert.equal(a.duplicate, false);
    const again = await inbox.accept({ ...msg("1"), runId: "run_other", payload: { text: "changed" } });
    assert.deepEqual(again, { id: a.id, duplicate: true, runId: "run_1" });
    const item = await inbox.get(a.id);
    assert.equal(item?.state, "queued");
    assert.deepEqual(item?.payload, { text: "hello 1" });
    assert.equal((await inbox.list()).length, 1);
    // Same platform id on another account is a different message.
    const other = await inbox.accept({ ...msg("1"), dedupeKey: inboxDedupeKey("telegram", "second", "1") });
    assert.equal(other.duplicate, false);
  } finally {
    store.close();
  }
});

Deno.test("inbox: bad input is refused", async () => {
  const { store, inbox } = await setup();
  try {
    assert.throws(() => inboxDedupeKey("telegram", "", "1"), TypeError);
    await assert.rejects(inbox.accept({ ...msg("1"), dedupeKey: "" }), TypeError);
    await assert.rejects(inbox.accept({ ...msg("1"), runId: "" }), TypeError);
    await assert.rejects(inbox.mark([1], "bogus" as never), RangeError);
  } finally {
    store.close();
  }
});

Deno.test("inbox: states move queued → running → done | failed and are counted", async () => {
  const { store, inbox } = await setup();
  try {
    const a = await inbox.accept(msg("a"));
    const b = await inbox.accept(msg("b"));
    await inbox.mark([a.id, b.id], "running");
    assert.deepEqual((await inbox.list({ state: "running" })).map((i) => i.id), [a.id, b.id]);
    await inbox.mark([a.id], "done");
    await inbox.mark([b.id], "failed", "model unavailable");
    assert.equal((await inbox.get(b.id))?.error, "model unavailable");
    const counts = await inbox.counts();
    assert.equal(counts.done, 1);
    assert.equal(counts.failed, 1);
    assert.equal(counts.queued, 0);
    await inbox.mark([], "done");
    assert.equal((await inbox.counts()).done, 1);
  } finally {
    store.close();
  }
});

Deno.test("inbox: recover returns queued and running messages, flagging running ones interrupted", async () => {
  const { store, inbox, tick } = await setup();
  try {
    const a = await inbox.accept(msg("a"));
    const b = await inbox.accept(msg("b"));
    const c = await inbox.accept(msg("c"));
    await inbox.mark([a.id], "running");
    await inbox.mark([c.id], "done");
    const recovered = await inbox.recover();
    assert.deepEqual(recovered.map((r) => [r.id, r.state, r.interrupted, r.recoveries]), [
      [a.id, "queued", true, 1],
      [b.id, "queued", false, 0],
    ]);
    // A second crash while re-running counts again.
    await inbox.mark([a.id], "running");
    const again = await inbox.recover();
    assert.equal(again.find((r) => r.id === a.id)?.recoveries, 2);
    // Prune removes only finished rows older than the cut-off.
    tick(10_000);
    assert.equal(await inbox.prune(5_000), 1);
    assert.equal((await inbox.list()).length, 2);
  } finally {
    store.close();
  }
});

Deno.test("inbox: through a write-behind queue, running is queued and the final mark commits both in one transaction", async () => {
  const store = await openStore({ url: ":memory:" });
  const db = counting(store.db);
  const clock = createTestClock();
  const queue = createWriteBehind(db, { clock, flushMs: 10 });
  const inbox = createInboxRepo(db, () => clock.now(), queue);
  try {
    const a = await inbox.accept(msg("a"));
    const b = await inbox.accept(msg("b"));
    assert.equal(db.runs, 2, "accept is written at once: the message is durable before it is acknowledged");
    await inbox.mark([a.id, b.id], "running");
    assert.equal(db.runs, 2, "running is queued");
    assert.deepEqual(db.batches, []);
    const raw = await store.db.query<{ state: string }>("SELECT state FROM lane_inbox ORDER BY id");
    assert.deepEqual(raw.map((r) => r.state), ["queued", "queued"], "nothing written yet");
    // Reads through the repository wait for the queue.
    assert.equal((await inbox.counts()).running, 2);
    assert.deepEqual(db.batches, [1]);
    await inbox.mark([a.id], "running");
    await inbox.mark([a.id], "done");
    assert.deepEqual(db.batches, [1, 2], "the done mark commits with the running mark queued before it");
    assert.equal(clock.pendingTimers(), 0, "nothing left for the timer");
    // A running mark alone is committed by the queue's timer.
    await inbox.mark([b.id], "failed", "model unavailable");
    const c = await inbox.accept(msg("c"));
    await inbox.mark([c.id], "running");
    await clock.advance(10);
    assert.deepEqual(db.batches, [1, 2, 1, 1]);
    const rows = await store.db.query<{ state: string; error: string | null }>(
      "SELECT state, error FROM lane_inbox ORDER BY id",
    );
    assert.deepEqual(rows.map((r) => [r.state, r.error]), [
      ["done", null],
      ["failed", "model unavailable"],
      ["running", null],
    ]);
    // A message accepted while marks are queued does not wait for them, and its duplicate is still seen.
    await inbox.mark([c.id], "running");
    const again = await inbox.accept(msg("c"));
    assert.equal(again.duplicate, true);
    assert.equal(db.batches.length, 4, "accept did not flush the queue");
  } finally {
    await queue.close();
    store.close();
  }
});
