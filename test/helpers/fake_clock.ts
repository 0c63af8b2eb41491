/**
 * The one fake clock of the test suite: a `Clock` on `@sinonjs/fake-timers` (its own clock, never installed
 * on globalThis). Time moves only when a test says so (`tick` fires due timers synchronously; `advance`
 * also lets promises and I/O callbacks run between timers), or, with `auto`, each timer fires on the next
 * real macrotask with time jumped to its due moment (backoff sleeps take no real time).
 */
import FakeTimers from "@sinonjs/fake-timers";
import type { Clock } from "../../src/core/clock.ts";

export interface TestClock extends Clock {
  /** Every setTimeout delay asked for, in order. */
  readonly timeouts: number[];
  /** Moves time forward by `ms`, firing due timers in order (synchronously). */
  tick(ms: number): void;
  /** Moves time forward by `ms`, letting pending promises and macrotasks run between timers. */
  advance(ms: number): Promise<void>;
  /** Timers not fired or cleared yet. */
  pendingTimers(): number;
}

export function createTestClock(options: { start?: number; auto?: boolean } = {}): TestClock {
  const fake = FakeTimers.createClock(options.start ?? Date.UTC(2026, 0, 1));
  const timeouts: number[] = [];
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    timeouts,
    now: () => fake.now,
    setTimeout(fn, ms) {
      timeouts.push(ms);
      const id = fake.setTimeout(fn, Math.max(0, ms)) as unknown as number;
      if (options.auto) {
        const due = fake.now + Math.max(0, ms);
        setTimeout(() => {
          if (fake.now < due) fake.tick(due - fake.now);
        }, 0);
      }
      return id;
    },
    clearTimeout: (id) => fake.clearTimeout(id as never),
    setInterval: (fn, ms) => fake.setInterval(fn, Math.max(1, ms)) as unknown as number,
    clearInterval: (id) => fake.clearInterval(id as never),
    tick: (ms) => void fake.tick(ms),
    async advance(ms) {
      await flush();
      // tickAsync runs due timers one by one and yields to the real event loop between them.
      await fake.tickAsync(ms);
      await flush();
    },
    pendingTimers: () => fake.countTimers(),
  };
}
