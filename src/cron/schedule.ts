/** Job schedules: `at` (one-off ISO time), `every` (interval) and `cron` (5 fields with time zone). */
import { z } from "zod";
import { isValidTimeZone, nextCronTime, parseCron } from "./cron_expr.ts";

export const scheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("at"),
    at: z.iso.datetime({ offset: true }).describe("ISO time, e.g. 2026-05-01T09:00:00Z"),
  }),
  z.strictObject({
    kind: z.literal("every"),
    everyMs: z.number().int().min(1000).describe("Interval in ms (min 1000)"),
  }),
  z.strictObject({
    kind: z.literal("cron"),
    expr: z.string().min(1).refine((e) => {
      try {
        parseCron(e);
        return true;
      } catch {
        return false;
      }
    }, "invalid 5-field cron expression"),
    tz: z.string().default("UTC").refine(isValidTimeZone, "unknown IANA time zone"),
  }),
]);

export type Schedule = z.infer<typeof scheduleSchema>;

/**
 * The next time a schedule fires strictly after `after`. `anchor` (job creation time) aligns `every`
 * intervals. undefined when it never fires again.
 */
export function nextRunAt(schedule: Schedule, after: number, anchor: number): number | undefined {
  switch (schedule.kind) {
    case "at": {
      const at = Date.parse(schedule.at);
      return at > after ? at : undefined;
    }
    case "every": {
      if (after < anchor) return anchor + schedule.everyMs;
      const n = Math.floor((after - anchor) / schedule.everyMs) + 1;
      return anchor + n * schedule.everyMs;
    }
    case "cron":
      return nextCronTime(parseCron(schedule.expr), after, schedule.tz);
  }
}

/** A short description for lists: "at 2026-…", "every 60s", "cron 0 9 * * 1-5 (Europe/Berlin)". */
export function describeSchedule(s: Schedule): string {
  if (s.kind === "at") return `at ${s.at}`;
  if (s.kind === "every") {
    return `every ${
      s.everyMs >= 60_000 && s.everyMs % 60_000 === 0 ? `${s.everyMs / 60_000}m` : `${s.everyMs / 1000}s`
    }`;
  }
  return `cron ${s.expr} (${s.tz})`;
}
