/** The clock of tool and cron tests: the suite's one fake clock (test/helpers/fake_clock.ts). */
import { createTestClock, type TestClock } from "../helpers/fake_clock.ts";

export type ManualClock = TestClock;

/** Time moves only when `advance` (or `tick`) is called. */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  return createTestClock({ start });
}
