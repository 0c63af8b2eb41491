/**
 * An advisory write lock shared by the threads of one process (the main thread and every shard worker)
 * that write the same store file. SQLite allows one writer at a time; without this, a thread that finds
 * the file locked waits in SQLite's busy handler, which blocks the thread and sleeps 1, 2, 5, 10… ms
 * between tries, and a busy failure poisons its connection (see db.ts). With it, writers queue here and
 * the next one is woken the moment the previous write commits.
 *
 * Advisory: SQLite still enforces the one-writer rule, so correctness never depends on this lock. A
 * holder that disappears without releasing (a worker terminated mid-write) is taken over after
 * STALE_MS, and then SQLite's own locking applies as before.
 */

/** The memory behind a lock: create one per store in the main thread and post it to each worker. */
export function createWriteLockMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

export interface WriteLock {
  acquire(): Promise<void>;
  release(): void;
}

/** A held lock older than this is taken over (no single write takes this long). */
const STALE_MS = 3_000;
/** How long a waiter sleeps before it looks again (a missed wake-up costs at most this). */
const POLL_MS = 50;
const MASK = 0x3fffffff;

/** The lock over `memory` (slot 0: 0 free / 1 held; slot 1: when it was taken, ms, wrapping). */
export function sharedWriteLock(memory: SharedArrayBuffer, now: () => number = Date.now): WriteLock {
  const cells = new Int32Array(memory);
  const stamp = () => now() & MASK;
  return {
    async acquire() {
      for (;;) {
        if (Atomics.compareExchange(cells, 0, 0, 1) === 0) {
          Atomics.store(cells, 1, stamp());
          return;
        }
        if (((stamp() - Atomics.load(cells, 1)) & MASK) > STALE_MS) {
          Atomics.store(cells, 1, stamp());
          return;
        }
        const w = Atomics.waitAsync(cells, 0, 1, POLL_MS);
        if (w.async) await w.value;
      }
    },
    release() {
      Atomics.store(cells, 0, 0);
      Atomics.notify(cells, 0, 1);
    },
  };
}
