import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createOutboxRepo, type OutboxTarget } from "../../src/store/outbox.ts";

const chat: OutboxTarget = { channel: "telegram", accountId: "default", to: "42" };
const other: OutboxTarget = { channel: "discord", accountId: "default", to: "c1" };

async function setup() {
  let t = 1000;
  const store = await openStore({ url: ":memory:" });
  const outbox = createOutboxRepo(store.db, () => t);
  return { store, outbox, tick: (ms: number) => t += ms, now: () => t };
}

Deno.test("outbox: a chunk is stored once per idempotency key", async () => {
  const { store, outbox } = await setup();
  try {
    const a = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: chat, payload: { text: "hi" } });
    const dup = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: chat, payload: { text: "hi" } });
    assert.equal(dup.duplicate, true);
    assert.equal(dup.id, a.id);
    const b = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: other, payload: { text: "hi" } });
    assert.equal(b.duplicate, false);
    assert.equal((await outbox.list()).length, 2);
    await assert.rejects(
      outbox.enqueue({ runId: "r1", chunkIndex: -1, target: chat, payload: 1 }),
      RangeError,
    );
    await assert.rejects(
      outbox.enqueue({ runId: "r1", chunkIndex: 0, target: { ...chat, to: "" }, payload: 1 }),
      TypeError,
    );
    await assert.rejects(outbox.list({ state: "nope" as never }), RangeError);
  } finally {
    store.close();
  }
});

Deno.test("outbox: claimDue hands out one chunk per target in order and respects next attempt time", async () => {
  const { store, outbox, tick, now } = await setup();
  try {
    for (let i = 0; i < 3; i++) {
      await outbox.enqueue({ runId: "r1", chunkIndex: i, target: chat, payload: i });
    }
    await outbox.enqueue({ runId: "r2", chunkIndex: 0, target: other, payload: "x" });
    const first = await outbox.claimDue(now(), 10);
    assert.deepEqual(first.map((i) => [i.target.channel, i.chunkIndex, i.state, i.attempts]), [
      ["telegram", 0, "sending", 1],
      ["discord", 0, "sending", 1],
    ]);
    // While chunk 0 is in flight, chunk 1 of the same chat waits.
    assert.deepEqual(await outbox.claimDue(now(), 10), []);
    await outbox.markSent(first[0]!.id);
    await outbox.markFailed(first[1]!.id, "503", now() + 500);
    const second = await outbox.claimDue(now(), 10);
    assert.deepEqual(second.map((i) => i.chunkIndex), [1]);
    assert.equal(await outbox.nextDueAt(), now() + 500);
    tick(500);
    await outbox.markSent(second[0]!.id);
    const third = await outbox.claimDue(now(), 10);
    assert.deepEqual(third.map((i) => [i.target.channel, i.chunkIndex, i.attempts]), [["telegram", 2, 1], [
      "discord",
      0,
      2,
    ]]);
    assert.equal((await outbox.get(first[0]!.id))?.state, "sent");
  } finally {
    store.close();
  }
});

Deno.test("outbox: dead letters can be listed, retried and dropped", async () => {
  const { store, outbox, now } = await setup();
  try {
    const a = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: chat, payload: "a" });
    const b = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: other, payload: "b" });
    for (const item of await outbox.claimDue(now(), 10)) {
      await outbox.markFailed(item.id, "forbidden", undefined);
    }
    const dead = await outbox.list({ state: "dead" });
    assert.deepEqual(dead.map((d) => [d.id, d.lastError]), [[a.id, "forbidden"], [b.id, "forbidden"]]);
    assert.equal(await outbox.drop(b.id), true);
    assert.equal(await outbox.drop(b.id), false, "already dropped");
    assert.equal(await outbox.retry(), 1, "retry all dead: only a");
    const again = await outbox.get(a.id);
    assert.equal(again?.state, "pending");
    assert.equal(again?.attempts, 0);
    assert.equal(await outbox.retry(b.id), 1, "a dropped item can be brought back");
    assert.equal(await outbox.retry(9999), 0);
    const counts = await outbox.counts();
    assert.equal(counts.pending, 2);
  } finally {
    store.close();
  }
});

Deno.test("outbox: recover gives an interrupted send one more try, never two", async () => {
  const { store, outbox, now } = await setup();
  try {
    const a = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: chat, payload: "a" });
    await outbox.claimDue(now(), 10); // crash while sending
    assert.deepEqual(await outbox.recover(), { requeued: 1, dead: 0 });
    const item = await outbox.get(a.id);
    assert.equal(item?.state, "pending");
    assert.equal(item?.recovered, true);
    await outbox.claimDue(now(), 10); // crash again
    assert.deepEqual(await outbox.recover(), { requeued: 0, dead: 1 });
    assert.equal((await outbox.get(a.id))?.state, "dead");
  } finally {
    store.close();
  }
});
