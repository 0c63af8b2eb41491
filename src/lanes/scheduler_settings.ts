/** Scheduler settings: derived from the `agents` config, and checked before the scheduler starts. */
import { type AgentsConfig, QUEUE_MODES } from "../config/sections/agents.ts";
import { LANES } from "./protocol.ts";
import type { SchedulerSettings } from "./scheduler_types.ts";

/** Scheduler settings from `agents` config; background lanes get a share of the global cap of their own. */
export function schedulerSettings(
  agents: AgentsConfig,
  overrides: Partial<SchedulerSettings> = {},
): SchedulerSettings {
  const d = agents.defaults;
  const perShard = agents.perShardConcurrent ?? agents.maxConcurrent;
  return {
    queueMode: d.queueMode,
    debounceMs: d.debounceMs,
    queueCap: d.queueCap,
    queueDrop: d.queueDrop,
    runTimeoutMs: d.runTimeoutMs,
    maxRequeues: 2,
    ...overrides,
    lanes: {
      main: { global: agents.maxConcurrent, perShard },
      subagent: { global: Math.max(1, Math.ceil(agents.maxConcurrent / 2)), perShard },
      cron: { global: Math.max(1, Math.ceil(agents.maxConcurrent / 4)), perShard },
      heartbeat: { global: Math.max(1, Math.ceil(agents.maxConcurrent / 4)), perShard },
      ...overrides.lanes,
    },
  };
}

/** Throws a RangeError naming the first bad setting. */
export function validate(settings: SchedulerSettings): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${v}`);
  };
  positive("queueCap", settings.queueCap);
  positive("runTimeoutMs", settings.runTimeoutMs);
  if (!Number.isInteger(settings.maxRequeues) || settings.maxRequeues < 0) {
    throw new RangeError(`maxRequeues must be an integer ≥ 0, got ${settings.maxRequeues}`);
  }
  if (!(settings.debounceMs >= 0)) throw new RangeError(`debounceMs must be ≥ 0, got ${settings.debounceMs}`);
  if (!QUEUE_MODES.includes(settings.queueMode)) {
    throw new RangeError(`Unknown queue mode "${settings.queueMode}"`);
  }
  for (const lane of LANES) {
    const cap = settings.lanes[lane];
    if (!cap) throw new RangeError(`Missing caps for lane "${lane}"`);
    positive(`lanes.${lane}.global`, cap.global);
    positive(`lanes.${lane}.perShard`, cap.perShard);
  }
}
