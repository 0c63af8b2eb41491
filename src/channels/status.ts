import type { Clock } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";
import type { ChannelStatus } from "./types.ts";

/** Keeps one adapter's status: running/connected, last event and last error. */
export interface StatusTracker {
  get(): ChannelStatus;
  set(patch: Partial<ChannelStatus>): void;
  /** Records an inbound event or a successful platform call. */
  event(): void;
  error(err: unknown): void;
}

export function createStatusTracker(
  base: { channel: string; accountId: string; mode: string },
  clock: Clock,
): StatusTracker {
  let state: ChannelStatus = { ...base, running: false, connected: false };
  return {
    get: () => ({ ...state }),
    set: (patch) => void (state = { ...state, ...patch }),
    event: () => void (state = { ...state, lastEventAt: clock.now() }),
    error: (err) => void (state = { ...state, lastError: describeError(err), lastErrorAt: clock.now() }),
  };
}
