import { type Clock, systemClock } from "../core/clock.ts";
import { addressKey } from "./address_key.ts";

export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  /**
   * Failures from all addresses together within the window before every login is refused until the
   * window has passed (so many addresses cannot brute-force together). Default 100.
   */
  globalMaxFailures?: number;
  clock?: Clock;
  /** Upper bound of tracked keys, so a flood of addresses cannot grow memory without bound. */
  maxKeys?: number;
}

/**
 * Counts failed attempts per remote address and locks an address out after too many. Addresses are
 * counted by `addressKey` (all of loopback is one address, IPv6 by /64), and all failures together
 * have a global budget too.
 */
export interface FailureLimiter {
  /** `retryAfterMs` > 0 when the address (or everyone, past the global budget) is locked out. */
  check(addr: string): { allowed: boolean; retryAfterMs: number };
  fail(addr: string): void;
  succeed(addr: string): void;
}

export function createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 10_000;
  const globalMax = options.globalMaxFailures ?? 100;
  const entries = new Map<string, { failures: number[]; lockedUntil: number }>();
  /** Times of recent failures from anyone (at most globalMax kept). */
  let global: number[] = [];

  const prune = (now: number) => {
    if (entries.size < maxKeys) return;
    for (const [key, e] of entries) {
      if (e.lockedUntil <= now && (e.failures.at(-1) ?? 0) <= now - options.windowMs) entries.delete(key);
    }
    // Still full: drop the oldest entries.
    while (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
  };
  const globalRetryAfter = (now: number) => {
    global = global.filter((t) => t > now - options.windowMs);
    return global.length >= globalMax ? global[0]! + options.windowMs - now : 0;
  };

  return {
    check(addr) {
      const e = entries.get(addressKey(addr));
      const now = clock.now();
      if (e && e.lockedUntil > now) return { allowed: false, retryAfterMs: e.lockedUntil - now };
      const wait = globalRetryAfter(now);
      if (wait > 0) return { allowed: false, retryAfterMs: wait };
      return { allowed: true, retryAfterMs: 0 };
    },
    fail(addr) {
      const key = addressKey(addr);
      const now = clock.now();
      prune(now);
      globalRetryAfter(now);
      global.push(now);
      if (global.length > globalMax) global.shift();
      const e = entries.get(key) ?? { failures: [], lockedUntil: 0 };
      e.failures = e.failures.filter((t) => t > now - options.windowMs);
      e.failures.push(now);
      if (e.failures.length >= options.maxFailures) {
        e.lockedUntil = now + options.lockoutMs;
        e.failures = [];
      }
      entries.set(key, e);
    },
    succeed(addr) {
      entries.delete(addressKey(addr));
    },
  };
}
