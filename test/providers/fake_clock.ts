/**
 * The clock of provider tests: the suite's one fake clock (test/helpers/fake_clock.ts). Manual mode: time
 * moves only with `tick()`/`advance()`. Auto mode: each timer fires on the next macrotask with time jumped
 * to its due moment, so backoff sleeps take no real time while `timeouts` records what was asked for.
 */
import { createTestClock, type TestClock } from "../helpers/fake_clock.ts";

export interface FakeClock extends Omit<TestClock, "advance"> {
  /** Moves time forward, firing due timers in order (synchronously). */
  advance(ms: number): void;
}

export function createFakeClock(options: { start?: number; auto?: boolean } = {}): FakeClock {
  const clock = createTestClock({ start: options.start ?? 1_700_000_000_000, auto: options.auto });
  return Object.assign(clock, { advance: (ms: number) => clock.tick(ms) });
}
