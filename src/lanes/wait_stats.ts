/** Queue-wait statistics: a Prometheus-style histogram plus a window of recent waits for p50/p99. */

/** Histogram bucket upper bounds, milliseconds. */
export const WAIT_BUCKETS_MS = [
  1,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10_000,
  30_000,
  60_000,
] as const;

export interface WaitSummary {
  count: number;
  sumMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Cumulative counts per bucket (`le` = upper bound in ms), then `+Inf`. */
  buckets: { le: number | "+Inf"; count: number }[];
}

export interface WaitStats {
  record(ms: number): void;
  summary(): WaitSummary;
}

/** Creates wait statistics keeping the last `window` samples for percentiles. */
export function createWaitStats(window = 2048): WaitStats {
  const counts = new Array<number>(WAIT_BUCKETS_MS.length + 1).fill(0);
  const recent: number[] = [];
  let next = 0;
  let count = 0;
  let sum = 0;
  let max = 0;
  return {
    record(ms) {
      const v = Math.max(0, ms);
      count++;
      sum += v;
      max = Math.max(max, v);
      let i = WAIT_BUCKETS_MS.findIndex((b) => v <= b);
      if (i < 0) i = WAIT_BUCKETS_MS.length;
      counts[i]!++;
      if (recent.length < window) recent.push(v);
      else recent[next] = v;
      next = (next + 1) % window;
    },
    summary() {
      const sorted = [...recent].sort((a, b) => a - b);
      let acc = 0;
      const buckets = counts.map((c, i) => {
        acc += c;
        return { le: i < WAIT_BUCKETS_MS.length ? WAIT_BUCKETS_MS[i]! : "+Inf" as const, count: acc };
      });
      return {
        count,
        sumMs: sum,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        maxMs: max,
        buckets,
      };
    },
  };
}

/** Nearest-rank percentile of a sorted array (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}
