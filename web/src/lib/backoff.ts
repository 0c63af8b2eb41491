/** Reconnect delays: exponential with a cap and jitter, so many tabs do not reconnect in lockstep. */

export interface BackoffOptions {
  /** First delay in ms. */
  baseMs: number;
  /** Largest delay in ms. */
  maxMs: number;
  /** Fraction (0–1) of the delay that is randomised downwards. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 15_000, jitter: 0.3 };

/** Delay before reconnect attempt `attempt` (0-based); `random` returns a number in [0, 1). */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be ≥ 0, got ${attempt}`);
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp * (1 - opts.jitter * random()));
}
