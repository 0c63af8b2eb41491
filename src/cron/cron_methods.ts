/**
 * Gateway methods for cron jobs: `cron.list` and `cron.runs` (read: jobs, their next/last run and last
 * status, and each job's history with the agent run it started), `cron.add`, `cron.update`, `cron.remove`
 * and `cron.run` (admin: they decide what runs unattended, as the `cron` principal, with the agent's
 * configured tools). Every change is audited as `cron.job`.
 */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodContext, MethodDef } from "../gateway/methods/registry.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { CronJob, CronRun, JobPayload } from "./job_repo.ts";
import { describeSchedule, scheduleSchema } from "./schedule.ts";
import type { CronScheduler } from "./scheduler.ts";

const jobId = z.string().min(1).max(100);
const agentId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must be an agent id (a-z, 0-9, _ and -)");
const deliver = z.strictObject({
  channel: z.string().min(1).max(40),
  to: z.string().min(1).max(200),
  accountId: z.string().min(1).max(100).optional(),
});
const jobFields = {
  name: z.string().trim().min(1, "must not be empty").max(100),
  schedule: scheduleSchema,
  message: z.string().trim().min(1, "must not be empty").max(20_000),
  agentId: agentId.optional(),
  sessionKey: z.string().min(1).max(300).optional(),
  deliver: deliver.optional(),
};
export const cronAddParams = z.strictObject({ ...jobFields, enabled: z.boolean().default(true) });
export const cronUpdateParams = z.strictObject({
  id: jobId,
  name: jobFields.name.optional(),
  schedule: scheduleSchema.optional(),
  message: jobFields.message.optional(),
  agentId: agentId.nullable().optional(),
  sessionKey: jobFields.sessionKey.nullable().optional(),
  deliver: deliver.nullable().optional(),
  enabled: z.boolean().optional(),
});
const idParams = z.strictObject({ id: jobId });
const runsParams = z.strictObject({ id: jobId, limit: z.number().int().min(1).max(200).default(20) });

export interface CronMethodsDeps {
  scheduler: CronScheduler;
  agentIds(): string[];
  defaultAgent(): string;
  /** Whether the scheduler runs jobs at all (`cron.enabled`). */
  schedulerOn(): boolean;
  audit?: AuditRepo;
}

/** The last run's state as a job list shows it. */
export type LastStatus = "ok" | "error" | "running" | "interrupted";

/**
 * Only this process runs cron jobs, so a history row left open while the job is not running now was cut
 * short by a stop or crash of the gateway: `interrupted`, not running forever.
 */
function lastStatus(run: CronRun | undefined, running: boolean): LastStatus | undefined {
  if (running) return "running";
  if (!run) return undefined;
  if (run.endedAt === undefined) return "interrupted";
  return run.ok ? "ok" : "error";
}

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

/** The cron methods. */
export function createCronMethods(deps: CronMethodsDeps): MethodDef<unknown>[] {
  const { scheduler } = deps;
  const checkAgent = (id: string | null | undefined) => {
    if (id && !deps.agentIds().includes(id)) {
      throw new TalonError("INVALID_REQUEST", `agentId: unknown agent "${id}"`);
    }
  };
  const find = async (id: string) => {
    const job = (await scheduler.list()).find((j) => j.id === id);
    if (!job) throw new TalonError("NOT_FOUND", `No cron job ${id}`);
    return job;
  };
  const view = async (job: CronJob) => {
    const [last] = await scheduler.runs(job.id, 1);
    return {
      ...job,
      describe: describeSchedule(job.schedule),
      agentId: job.payload.agentId ?? deps.defaultAgent(),
      lastStatus: lastStatus(last, scheduler.runningIds().includes(job.id)),
      ...(last?.summary !== undefined ? { lastSummary: last.summary } : {}),
      ...(last?.runId ? { lastRunId: last.runId } : {}),
    };
  };
  const audited = async (ctx: MethodContext, outcome: string, id: string, detail = {}) => {
    await deps.audit?.record({
      kind: "cron.job",
      outcome,
      actor: `credential:${ctx.credentialId}`,
      detail: { id, ...detail },
    });
  };
  /** A scheduler RangeError (a schedule that never fires) is the caller's mistake. */
  const asRequestError = (err: unknown): never => {
    if (err instanceof RangeError) throw new TalonError("INVALID_REQUEST", `schedule: ${err.message}`);
    throw err;
  };

  return [
    erase({
      name: "cron.list",
      scope: "read",
      params: z.strictObject({}).prefault({}),
      description: "Cron jobs: schedule, next and last run, last status; and whether the scheduler runs.",
      handler: async () => ({
        schedulerOn: deps.schedulerOn(),
        agents: deps.agentIds(),
        jobs: await Promise.all((await scheduler.list()).map(view)),
      }),
    }),
    erase({
      name: "cron.runs",
      scope: "read",
      params: runsParams,
      description: "A cron job's past runs (newest first), each with the agent run it started.",
      handler: async (p) => {
        await find(p.id);
        return { runs: await scheduler.runs(p.id, p.limit) };
      },
    }),
    erase({
      name: "cron.add",
      scope: "admin",
      params: cronAddParams,
      description: "Adds a cron job (runs as the cron principal with the agent's configured tools).",
      handler: async (p, ctx) => {
        checkAgent(p.agentId);
        const payload: JobPayload = {
          message: p.message,
          ...(p.agentId ? { agentId: p.agentId } : {}),
          ...(p.sessionKey ? { sessionKey: p.sessionKey } : {}),
          ...(p.deliver ? { deliver: p.deliver } : {}),
        };
        let job = await scheduler.add({
          name: p.name,
          schedule: p.schedule,
          payload,
          createdBy: `credential:${ctx.credentialId}`,
        }).catch(asRequestError);
        if (!p.enabled) job = await scheduler.update(job.id, { enabled: false });
        await audited(ctx, "added", job.id, { name: job.name, schedule: job.schedule });
        return { job: await view(job) };
      },
    }),
    erase({
      name: "cron.update",
      scope: "admin",
      params: cronUpdateParams,
      description: "Changes a cron job: name, schedule, message, agent, session, delivery, on/off.",
      handler: async (p, ctx) => {
        const job = await find(p.id);
        checkAgent(p.agentId);
        const payload = { ...job.payload };
        if (p.message !== undefined) payload.message = p.message;
        for (const key of ["agentId", "sessionKey", "deliver"] as const) {
          if (p[key] === null) delete payload[key];
          else if (p[key] !== undefined) Object.assign(payload, { [key]: p[key] });
        }
        const updated = await scheduler.update(p.id, {
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.schedule ? { schedule: p.schedule } : {}),
          ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
          payload,
        }).catch(asRequestError);
        const { id: _, ...changed } = p;
        await audited(ctx, "updated", p.id, { changed: Object.keys(changed) });
        return { job: await view(updated) };
      },
    }),
    erase({
      name: "cron.remove",
      scope: "admin",
      params: idParams,
      description: "Removes a cron job (its history stays).",
      handler: async (p, ctx) => {
        if (!(await scheduler.remove(p.id))) throw new TalonError("NOT_FOUND", `No cron job ${p.id}`);
        await audited(ctx, "removed", p.id);
        return { removed: p.id };
      },
    }),
    erase({
      name: "cron.run",
      scope: "admin",
      params: idParams,
      description: "Runs a cron job now, outside its schedule; answers with the agent run's id.",
      handler: async (p, ctx) => {
        const { runId } = await scheduler.runNow(p.id);
        await audited(ctx, "run", p.id, { runId });
        return { id: p.id, runId };
      },
    }),
  ];
}
