/**
 * A fake Clock for provider tests. Manual mode: time moves only with `advance()`. Auto mode: every
 * timer fires on the next macrotask with time jumped to its due moment, so backoff sleeps take no
 * real time while `timeouts` records what was asked for.
 */
import type { Clock } from "../../src/core/clock.ts";

export interface FakeClock extends Clock {
  /** Every setTimeout delay requested, in order. */
  timeouts: number[];
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void;
  /** Number of timers not fired or cleared yet. */
  pendingTimers(): number;
}

export function createFakeClock(options: { start?: number; auto?: boolean } = {}): FakeClock {
  let now = options.start ?? 1_700_000_000_000;
  let nextId = 1;
  const timers = new Map<number, { due: number; fn: () => void; every?: number }>();
  const timeouts: number[] = [];

  const fireDue = (until: number) => {
    while (true) {
      let first: [number, { due: number; fn: () => void; every?: number }] | undefined;
      for (const entry of timers) {
        if (entry[1].due <= until && (!first || entry[1].due < first[1].due)) first = entry;
      }
      if (!first) break;
      const [id, t] = first;
      now = Math.max(now, t.due);
      if (t.every) t.due += t.every;
      else timers.delete(id);
      t.fn();
    }
    now = Math.max(now, until);
  };

  const clock: FakeClock = {
    timeouts,
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timeouts.push(ms);
      timers.set(id, { due: now + Math.max(0, ms), fn });
      if (options.auto) {
        setTimeout(() => {
          const t = timers.get(id);
          if (t) fireDue(t.due);
        }, 0);
      }
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    setInterval(fn, ms) {
      const id = nextId++;
      timers.set(id, { due: now + ms, fn, every: Math.max(1, ms) });
      return id;
    },
    clearInterval(id) {
      timers.delete(id);
    },
    advance(ms) {
      fireDue(now + ms);
    },
    pendingTimers: () => timers.size,
  };
  return clock;
}
