/** The per-channel queue mode from config (`channels.<channel>.accounts.<id>.queueMode` or `channels.<channel>.queueMode`). */
import type { Config } from "../config/schema.ts";
import { QUEUE_MODES, type QueueMode } from "../config/sections/agents.ts";

/** Returns a function for SchedulerOptions.channelMode reading the frozen config. */
export function channelQueueMode(
  config: Readonly<Config>,
): (channel: string, accountId?: string) => QueueMode | undefined {
  return (channel, accountId) => {
    const section = (config.channels as Record<string, unknown>)[channel] as
      | { queueMode?: string; accounts?: Record<string, { queueMode?: string }> }
      | undefined;
    const mode = (accountId !== undefined ? section?.accounts?.[accountId]?.queueMode : undefined) ??
      section?.queueMode;
    return mode && (QUEUE_MODES as readonly string[]).includes(mode) ? mode as QueueMode : undefined;
  };
}
