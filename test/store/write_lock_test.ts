/**
 * The in-process write lock (src/store/write_lock.ts): threads that write one store take turns without
 * SQLite's sleeping busy handler, a waiter is woken when the lock is released, and a holder that vanished
 * is taken over.
 */
import assert from "node:assert/strict";
import { openDb } from "../../src/store/db.ts";
import { createWriteLockMemory, sharedWriteLock } from "../../src/store/write_lock.ts";

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]).finally(() => clearTimeout(timer));
};

Deno.test("a write waits for the lock held by another thread and runs once it is released", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon_wlock_" });
  const url = `file:${dir}/store.db`;
  const a = await openDb({ url });
  const memory = a.writeLock;
  assert.ok(memory, "a local file store has a write lock");
  const b = await openDb({ url, writeLock: memory });
  // A worker takes the lock and holds it until told to let go.
  const src = `
    import { sharedWriteLock } from ${
    JSON.stringify(new URL("../../src/store/write_lock.ts", import.meta.url).href)
  };
    let lock;
    self.onmessage = async (e) => {
      if (e.data.memory) { lock = sharedWriteLock(e.data.memory); await lock.acquire(); self.postMessage("held"); }
      else { lock.release(); self.postMessage("released"); }
    };`;
  const worker = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })), {
    type: "module",
  });
  const next = () => new Promise<string>((r) => worker.onmessage = (e) => r(e.data));
  try {
    await a.run("CREATE TABLE t (x INTEGER)");
    worker.postMessage({ memory });
    assert.equal(await within(next(), 10_000, "worker takes the lock"), "held");
    let done = false;
    const write = b.run("INSERT INTO t VALUES (1)").then(() => done = true);
    // Reads do not wait for the lock.
    assert.deepEqual(await within(a.query("SELECT count(*) AS n FROM t"), 5_000, "a read"), [{ n: 0 }]);
    assert.equal(done, false, "the write waits while another thread holds the lock");
    worker.postMessage({});
    assert.equal(await within(next(), 10_000, "worker releases"), "released");
    await within(write, 5_000, "the write after release");
    assert.deepEqual(await a.query("SELECT x FROM t"), [{ x: 1 }]);
  } finally {
    worker.terminate();
    a.close();
    b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock whose holder vanished is taken over after 3 s; in-memory stores have none", async () => {
  let now = 1_000_000;
  let looks = 0;
  const memory = createWriteLockMemory();
  const gone = sharedWriteLock(memory, () => now);
  const next = sharedWriteLock(memory, () => (looks++, now));
  await gone.acquire(); // never released: its thread was terminated mid-write
  let got = false;
  const waiting = next.acquire().then(() => got = true);
  const deadline = Date.now() + 10_000;
  while (looks < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(looks >= 3, "the waiter looked at the lock more than once");
  assert.equal(got, false, "a fresh hold is respected");
  now += 3_001;
  await within(waiting, 5_000, "takeover of a stale lock");
  next.release();
  assert.equal((await openDb({ url: ":memory:" })).writeLock, undefined);
});
