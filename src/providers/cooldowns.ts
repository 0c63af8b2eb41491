/**
 * Cooldowns per provider+model: a model that keeps failing is skipped for a while (30 s → 1 min →
 * 5 min by default) so runs go straight to the next model in the chain. Keyed by the full
 * `provider/model` ref, so one failing model never blocks a healthy sibling of the same provider.
 */
import type { Clock } from "../core/clock.ts";

/** Default cooldown steps in ms: 30 s, 1 min, then 5 min for every further failure. */
export const DEFAULT_COOLDOWN_STEPS: readonly number[] = [30_000, 60_000, 300_000];

export interface CooldownState {
  ref: string;
  failures: number;
  until: number;
}

export interface Cooldowns {
  /** Milliseconds left of the cooldown of `ref`; 0 when it may be used. */
  remainingMs(ref: string): number;
  /** Records a failure and returns the cooldown it started (at least `minMs`, e.g. a Retry-After). */
  fail(ref: string, minMs?: number): number;
  /** Records a success: the failure count and cooldown are cleared. */
  succeed(ref: string): void;
  /** Models currently cooling down. */
  list(): CooldownState[];
}

/** Creates an in-memory cooldown table. */
export function createCooldowns(deps: { clock: Clock; steps?: readonly number[] }): Cooldowns {
  const steps = deps.steps ?? DEFAULT_COOLDOWN_STEPS;
  if (steps.length === 0) throw new RangeError("cooldown steps must not be empty");
  const table = new Map<string, { failures: number; until: number }>();
  return {
    remainingMs(ref) {
      const s = table.get(ref);
      return s ? Math.max(0, s.until - deps.clock.now()) : 0;
    },
    fail(ref, minMs = 0) {
      const s = table.get(ref) ?? { failures: 0, until: 0 };
      s.failures += 1;
      const ms = Math.max(steps[Math.min(s.failures, steps.length) - 1] ?? 0, minMs);
      s.until = deps.clock.now() + ms;
      table.set(ref, s);
      return ms;
    },
    succeed(ref) {
      table.delete(ref);
    },
    list() {
      const now = deps.clock.now();
      return [...table.entries()]
        .filter(([, s]) => s.until > now)
        .map(([ref, s]) => ({ ref, failures: s.failures, until: s.until }));
    },
  };
}
