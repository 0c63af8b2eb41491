/** `current_time`: the current date and time in an IANA time zone. Harmless: no permissions at all. */
import { z } from "zod";
import type { Clock } from "../core/clock.ts";
import type { ToolDefinition } from "./types.ts";

const input = z.strictObject({
  timeZone: z.string().min(1).max(64).optional()
    .describe('IANA time zone, e.g. "Europe/Berlin" or "America/New_York"; default UTC.'),
});

export type CurrentTimeInput = z.infer<typeof input>;

/** Creates the `current_time` tool reading time from `clock`. */
export function createCurrentTimeTool(deps: { clock: Pick<Clock, "now"> }): ToolDefinition<CurrentTimeInput> {
  return {
    name: "current_time",
    description: "Current date and time in a given IANA time zone.",
    group: "util",
    input,
    permissions: () => ({}),
    run(args) {
      const zone = args.timeZone ?? "UTC";
      let parts: Record<string, string>;
      try {
        const fmt = new Intl.DateTimeFormat("en-US", {
          timeZone: zone,
          year: "numeric",
          month: "2-digit",
          day: "2-digit",
          hour: "2-digit",
          minute: "2-digit",
          second: "2-digit",
          weekday: "long",
          hourCycle: "h23",
          timeZoneName: "longOffset",
        });
        parts = Object.fromEntries(fmt.formatToParts(deps.clock.now()).map((p) => [p.type, p.value]));
      } catch {
        return Promise.resolve({
          content: `Unknown time zone "${zone}": use an IANA name such as "Europe/Berlin" or "UTC".`,
          isError: true,
        });
      }
      const offset = parts.timeZoneName === "GMT" ? "+00:00" : (parts.timeZoneName ?? "").replace("GMT", "");
      const local = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
      const iso = new Date(deps.clock.now()).toISOString();
      return Promise.resolve({
        content: `${local} ${zone} (${parts.weekday}, UTC${offset}); ISO ${iso}`,
        data: { timeZone: zone, local, offset, iso, weekday: parts.weekday },
      });
    },
  };
}
