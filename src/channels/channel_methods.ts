/** Gateway method `channels.status` (read): connected, last event, last error, per account. */
import { z } from "zod";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { ChannelRegistry } from "./registry.ts";

export const channelsStatusParams = z.strictObject({ channel: z.string().min(1).max(64).optional() })
  .prefault({});

/** The channel methods; the integrator registers them with `registry.add(...)`. */
export function createChannelMethods(deps: { channels: ChannelRegistry }): MethodDef<unknown>[] {
  const def: MethodDef<z.infer<typeof channelsStatusParams>> = {
    name: "channels.status",
    scope: "read",
    params: channelsStatusParams,
    description: "Status of every channel account: running, connected, last event, last error.",
    handler(p) {
      const all = deps.channels.status();
      return { channels: p.channel ? all.filter((s) => s.channel === p.channel) : all };
    },
  };
  return [def as unknown as MethodDef<unknown>];
}
