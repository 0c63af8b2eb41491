import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { Clock } from "../../src/core/clock.ts";
import { TalonError } from "../../src/core/errors.ts";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { createOutboxRepo, type OutboxItem, type OutboxTarget } from "../../src/store/outbox.ts";
import { createOutboxDispatcher, type Sender } from "../../src/lanes/outbox_dispatcher.ts";

const chat: OutboxTarget = { channel: "telegram", accountId: "default", to: "42" };

function fakeClock() {
  const c = FakeTimers.createClock(1_000_000);
  const clock: Clock = {
    now: () => c.now,
    setTimeout: (fn, ms) => c.setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => c.clearTimeout(id),
    setInterval: (fn, ms) => c.setInterval(fn, ms) as unknown as number,
    clearInterval: (id) => c.clearInterval(id),
  };
  return { clock, advance: (ms: number) => (c.now += ms) };
}

Deno.test("outbox dispatcher: every chunk is sent exactly once across a crash and restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon_outbox_" });
  const url = fileUrl(`${dir}/talon.db`);
  const delivered: string[] = []; // completed sends, by idempotency key
  try {
    // Process 1: three chunks; the first goes out, the process dies while sending the second.
    let store = await openStore({ url });
    let outbox = createOutboxRepo(store.db);
    for (let i = 0; i < 3; i++) {
      await outbox.enqueue({ runId: "run_1", chunkIndex: i, target: chat, payload: { text: `c${i}` } });
    }
    let reached = () => {};
    const reachedSecond = new Promise<void>((r) => reached = r);
    const dying: Sender = {
      send(item) {
        if (item.chunkIndex === 0) {
          delivered.push(item.idempotencyKey);
          return Promise.resolve();
        }
        reached();
        return new Promise(() => {}); // the process dies mid-send
      },
    };
    const first = createOutboxDispatcher({ outbox, senders: () => dying, batch: 1, pollMs: 60_000 });
    await first.start();
    await reachedSecond;
    store.close(); // SIGKILL: nothing else of process 1 reaches the database

    // Process 2: recovers and sends what was not sent, once.
    store = await openStore({ url });
    outbox = createOutboxRepo(store.db);
    const sends: OutboxItem[] = [];
    const healthy: Sender = {
      send(item) {
        sends.push(item);
        delivered.push(item.idempotencyKey);
        return Promise.resolve();
      },
    };
    const second = createOutboxDispatcher({ outbox, senders: () => healthy, pollMs: 60_000 });
    assert.deepEqual(await second.start(), { requeued: 1, dead: 0 });
    await second.flush();
    await second.stop();
    assert.deepEqual(sends.map((s) => [s.chunkIndex, s.recovered]), [[1, true], [2, false]]);
    store.close();

    // Process 3: nothing left to send.
    store = await openStore({ url });
    outbox = createOutboxRepo(store.db);
    const third = createOutboxDispatcher({ outbox, senders: () => healthy, pollMs: 60_000 });
    assert.deepEqual(await third.start(), { requeued: 0, dead: 0 });
    await third.flush();
    await third.stop();
    store.close();
    assert.equal(delivered.length, 3);
    assert.equal(new Set(delivered).size, 3, "no chunk delivered twice");
    assert.equal(sends.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outbox dispatcher: failing sends back off, then go to the dead-letter list; retry sends them", async () => {
  const store = await openStore({ url: ":memory:" });
  const { clock, advance } = fakeClock();
  const outbox = createOutboxRepo(store.db, clock.now);
  let broken = true;
  const attempts: number[] = [];
  const sender: Sender = {
    send(item) {
      attempts.push(item.attempts);
      return broken ? Promise.reject(new Error("502 Bad Gateway")) : Promise.resolve();
    },
  };
  const dispatcher = createOutboxDispatcher({
    outbox,
    senders: () => sender,
    clock,
    maxAttempts: 3,
    backoff: { baseMs: 1000, maxMs: 10_000 },
    pollMs: 60_000,
  });
  try {
    const { id } = await outbox.enqueue({ runId: "r", chunkIndex: 0, target: chat, payload: "x" });
    await dispatcher.start();
    await dispatcher.flush();
    assert.deepEqual(attempts, [1]);
    advance(500);
    await dispatcher.flush();
    assert.deepEqual(attempts, [1], "not before the backoff");
    advance(500);
    await dispatcher.flush();
    assert.deepEqual(attempts, [1, 2]);
    advance(2000);
    await dispatcher.flush();
    assert.deepEqual(attempts, [1, 2, 3]);
    const dead = await outbox.get(id);
    assert.equal(dead?.state, "dead");
    assert.equal(dead?.lastError, "Error: 502 Bad Gateway");
    broken = false;
    await outbox.retry(id);
    dispatcher.kick();
    await dispatcher.flush();
    assert.equal((await outbox.get(id))?.state, "sent");
  } finally {
    await dispatcher.stop();
    store.close();
  }
});

Deno.test("outbox dispatcher: a final error dead-letters at once; a missing channel sender retries", async () => {
  const store = await openStore({ url: ":memory:" });
  const { clock, advance } = fakeClock();
  const outbox = createOutboxRepo(store.db, clock.now);
  let discordUp = false;
  const sender: Sender = {
    send: (item) =>
      item.target.channel === "telegram"
        ? Promise.reject(new TalonError("FORBIDDEN", "bot was blocked by the user"))
        : Promise.resolve(),
  };
  const dispatcher = createOutboxDispatcher({
    outbox,
    senders: (channel) => (channel === "discord" && !discordUp ? undefined : sender),
    clock,
    backoff: { baseMs: 100, maxMs: 100 },
    pollMs: 60_000,
  });
  try {
    const tg = await outbox.enqueue({ runId: "r", chunkIndex: 0, target: chat, payload: "x" });
    const dc = await outbox.enqueue({
      runId: "r",
      chunkIndex: 0,
      target: { channel: "discord", accountId: "d", to: "c" },
      payload: "y",
    });
    await dispatcher.start();
    await dispatcher.flush();
    assert.equal((await outbox.get(tg.id))?.state, "dead");
    assert.equal((await outbox.get(tg.id))?.attempts, 1);
    const waiting = await outbox.get(dc.id);
    assert.equal(waiting?.state, "pending");
    assert.match(waiting?.lastError ?? "", /No sender for channel discord/);
    discordUp = true;
    advance(100);
    await dispatcher.flush();
    assert.equal((await outbox.get(dc.id))?.state, "sent");
    assert.throws(
      () => createOutboxDispatcher({ outbox, senders: () => sender, maxAttempts: 0 }),
      RangeError,
    );
  } finally {
    await dispatcher.stop();
    store.close();
  }
});
