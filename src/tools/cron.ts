/** `cron`: add, list and remove scheduled jobs. Owner sessions only. */
import { z } from "zod";
import { defineTool } from "./registry.ts";
import { ToolError } from "./errors.ts";
import type { ToolContext } from "./types.ts";
import type { CronScheduler } from "../cron/scheduler.ts";
import { describeSchedule, scheduleSchema } from "../cron/schedule.ts";

const input = z.strictObject({
  action: z.enum(["add", "list", "remove"]),
  id: z.string().optional().describe("Job id (remove)."),
  name: z.string().min(1).max(100).optional().describe("Job name (add)."),
  schedule: scheduleSchema.optional().describe("When it runs (add)."),
  message: z.string().min(1).optional().describe("What the agent is asked to do each time (add)."),
  sessionKey: z.string().optional().describe("Session to run in (default cron:<jobId>)."),
  deliver: z.strictObject({ channel: z.string(), to: z.string(), accountId: z.string().optional() })
    .optional()
    .describe("Send the result to this channel target."),
});

export interface CronToolDeps {
  scheduler: Pick<CronScheduler, "add" | "list" | "remove">;
  /** True when the calling session belongs to the owner. */
  isOwner(ctx: ToolContext): boolean;
}

/** Creates the `cron` tool. */
export function createCronTool(deps: CronToolDeps) {
  return defineTool({
    name: "cron",
    description: "Manage scheduled jobs (owner only): add {name, schedule, message}, list, remove {id}. " +
      'Schedules: {kind:"at", at:ISO}, {kind:"every", everyMs}, {kind:"cron", expr:"0 9 * * 1-5", tz:"Europe/Berlin"}.',
    group: "automation",
    input,
    async run(i, ctx) {
      if (!deps.isOwner(ctx)) throw new ToolError("Denied", "only the owner's sessions may manage cron jobs");
      if (i.action === "list") {
        const jobs = await deps.scheduler.list();
        const lines = jobs.map((j) =>
          `${j.id} ${j.enabled ? "" : "[done] "}${j.name}: ${describeSchedule(j.schedule)}` +
          (j.nextRunAt ? ` next ${new Date(j.nextRunAt).toISOString()}` : "")
        );
        return { content: lines.join("\n") || "No cron jobs.", data: jobs };
      }
      if (i.action === "remove") {
        if (!i.id) throw new ToolError("InvalidInput", "cron remove needs an id");
        if (!(await deps.scheduler.remove(i.id))) throw new ToolError("NotFound", `no cron job ${i.id}`);
        return { content: `Removed ${i.id}` };
      }
      if (!i.name || !i.schedule || !i.message) {
        throw new ToolError("InvalidInput", "cron add needs name, schedule and message");
      }
      try {
        const job = await deps.scheduler.add({
          name: i.name,
          schedule: i.schedule,
          payload: { message: i.message, agentId: ctx.agentId, sessionKey: i.sessionKey, deliver: i.deliver },
          createdBy: ctx.sessionKey,
        });
        return {
          content: `Added ${job.id} (${describeSchedule(job.schedule)}), next ${
            new Date(job.nextRunAt!).toISOString()
          }`,
          data: job,
        };
      } catch (err) {
        if (err instanceof RangeError) throw new ToolError("InvalidInput", err.message);
        throw err;
      }
    },
  });
}
