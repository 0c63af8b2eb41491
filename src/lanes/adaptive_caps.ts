/**
 * Adaptive per-shard run caps, driven by each shard worker's measured delay (heartbeat round trip).
 * Runs waiting on a provider cost a worker almost nothing, so the configured caps are high; but a burst
 * of runs all starting at once is CPU work that can block a worker's event loop for seconds (and make its
 * heartbeats miss). So each shard starts with `initial` runs at most. While its delay stays low and the
 * cap held a run back since the last heartbeat (or every slot is taken), the cap doubles at each heartbeat
 * up to `max`. It halves (not below `min`) when the delay stays high for two heartbeats in a row, or at
 * once when one delay is over four times the threshold: a single slow heartbeat (a GC pause, a round of
 * runs finishing together) is not a reason to turn away half the work. Runs over the cap wait in the
 * scheduler's queue, which costs a few hundred bytes each.
 */
export interface AdaptiveCapsOptions {
  shards: number;
  /** The configured ceiling (perShard cap). */
  max: number;
  initial?: number;
  min?: number;
  /** A delay above this for two heartbeats (or above four times this once) halves the cap. Default 250 ms. */
  highDelayMs?: number;
  /** Below this a full shard's cap doubles. Default 50 ms. */
  lowDelayMs?: number;
}

export interface AdaptiveCaps {
  cap(shard: number): number;
  /** The cap of `shard` kept a ready run from starting (counts as full at the next measurement). */
  held(shard: number): void;
  /** Whether the cap of `shard` held a run back since its last measurement. */
  isHeld(shard: number): boolean;
  /** One delay measurement of `shard` while `active` runs were on it. */
  observe(shard: number, delayMs: number, active: number): void;
}

/** Creates the caps, each starting at min(initial, max). */
export function createAdaptiveCaps(o: AdaptiveCapsOptions): AdaptiveCaps {
  const min = Math.min(o.min ?? 4, o.max);
  const caps = new Array<number>(o.shards).fill(Math.min(o.initial ?? 64, o.max));
  const heldBack = new Array<boolean>(o.shards).fill(false);
  const wasHigh = new Array<boolean>(o.shards).fill(false);
  const high = o.highDelayMs ?? 250;
  const low = o.lowDelayMs ?? 50;
  return {
    cap: (shard) => caps[shard] ?? o.max,
    held(shard) {
      if (shard < heldBack.length) heldBack[shard] = true;
    },
    isHeld: (shard) => heldBack[shard] ?? false,
    observe(shard, delayMs, active) {
      const cap = caps[shard];
      if (cap === undefined) return;
      const full = heldBack[shard] || active >= cap;
      heldBack[shard] = false;
      const isHigh = delayMs > high;
      if ((isHigh && wasHigh[shard]) || delayMs > 4 * high) caps[shard] = Math.max(min, Math.floor(cap / 2));
      else if (delayMs < low && full) caps[shard] = Math.min(o.max, cap * 2);
      wasHigh[shard] = isHigh;
    },
  };
}

/**
 * Adaptive caps per lane and shard, fed by a shard pool's heartbeats (each lane keeps its own, so a
 * burst of background runs never holds replies back); `refresh` takes the measurements not yet seen.
 */
export function poolAdaptiveCaps(
  pool: {
    size: number;
    health?(shard: number): { delayMs: number; samples: number };
    probe?(shard: number): void;
  },
  laneMax: number[],
): {
  cap(lane: number, shard: number): number;
  held(lane: number, shard: number): void;
  /** Measures now (pool.probe) every shard a cap held runs back on since its last measurement. */
  probeHeld(): void;
  refresh(active: (lane: number, shard: number) => number): void;
} {
  const caps = laneMax.map((max) => createAdaptiveCaps({ shards: pool.size, max }));
  const seen = new Array<number>(pool.size).fill(0);
  return {
    cap: (lane, shard) => caps[lane]?.cap(shard) ?? Infinity,
    held: (lane, shard) => caps[lane]?.held(shard),
    probeHeld() {
      for (let i = 0; i < pool.size; i++) if (caps.some((c) => c.isHeld(i))) pool.probe?.(i);
    },
    refresh(active) {
      if (!pool.health) return;
      for (let i = 0; i < pool.size; i++) {
        const h = pool.health(i);
        if (h.samples === seen[i]) continue;
        seen[i] = h.samples;
        caps.forEach((c, lane) => c.observe(i, h.delayMs, active(lane, i)));
      }
    },
  };
}
