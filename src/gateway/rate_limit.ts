import { type Clock, systemClock } from "../core/clock.ts";

export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  clock?: Clock;
  /** Upper bound of tracked keys, so a flood of addresses cannot grow memory without bound. */
  maxKeys?: number;
}

/** Counts failed attempts per key (remote address) and locks a key out after too many. */
export interface FailureLimiter {
  /** `retryAfterMs` > 0 when the key is locked out. */
  check(key: string): { allowed: boolean; retryAfterMs: number };
  fail(key: string): void;
  succeed(key: string): void;
}

export function createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 10_000;
  const entries = new Map<string, { failures: number[]; lockedUntil: number }>();

  const prune = (now: number) => {
    if (entries.size < maxKeys) return;
    for (const [key, e] of entries) {
      if (e.lockedUntil <= now && (e.failures.at(-1) ?? 0) <= now - options.windowMs) entries.delete(key);
    }
    // Still full: drop the oldest entries.
    while (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
  };

  return {
    check(key) {
      const e = entries.get(key);
      const now = clock.now();
      if (e && e.lockedUntil > now) return { allowed: false, retryAfterMs: e.lockedUntil - now };
      return { allowed: true, retryAfterMs: 0 };
    },
    fail(key) {
      const now = clock.now();
      prune(now);
      const e = entries.get(key) ?? { failures: [], lockedUntil: 0 };
      e.failures = e.failures.filter((t) => t > now - options.windowMs);
      e.failures.push(now);
      if (e.failures.length >= options.maxFailures) {
        e.lockedUntil = now + options.lockoutMs;
        e.failures = [];
      }
      entries.set(key, e);
    },
    succeed(key) {
      entries.delete(key);
    },
  };
}
