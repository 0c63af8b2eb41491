import assert from "node:assert/strict";
import { createSemaphore } from "../../src/core/semaphore.ts";

Deno.test("semaphore: at most `limit` holders; waiters get slots in arrival order", async () => {
  const s = createSemaphore(2);
  const a = await s.acquire();
  const b = await s.acquire();
  const order: string[] = [];
  const c = s.acquire().then((r) => (order.push("c"), r));
  const d = s.acquire().then((r) => (order.push("d"), r));
  assert.equal(s.active, 2);
  assert.equal(s.waiting, 2);
  a();
  a(); // a second release of the same slot is ignored
  const rc = await c;
  assert.deepEqual(order, ["c"]);
  assert.equal(s.waiting, 1);
  b();
  const rd = await d;
  assert.deepEqual(order, ["c", "d"]);
  rc();
  rd();
  assert.equal(s.active, 0);
});

Deno.test("semaphore: an aborted waiter leaves the queue with the signal's reason", async () => {
  const s = createSemaphore(1);
  const release = await s.acquire();
  const ctl = new AbortController();
  const waiting = s.acquire(ctl.signal);
  ctl.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
  assert.equal(s.waiting, 0);
  release();
  assert.equal(s.active, 0);
  await assert.rejects(s.acquire(AbortSignal.abort(new Error("already"))), /already/);
});

Deno.test("semaphore: refuses a limit that is not a positive integer", () => {
  assert.throws(() => createSemaphore(0), RangeError);
  assert.throws(() => createSemaphore(1.5), RangeError);
});
