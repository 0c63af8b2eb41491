/**
 * Wires the cron scheduler (src/cron/scheduler.ts) to the gateway's lanes and registers its `cron.*`
 * methods. Cron runs go through the `cron` lane with the job's own principal, so they never hold up a reply.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { createCronMethods } from "../cron/cron_methods.ts";
import { createCronJobRepo, type CronJobRepo } from "../cron/job_repo.ts";
import { createCronScheduler, type CronScheduler } from "../cron/scheduler.ts";
import type { MethodRegistry } from "../gateway/methods/registry.ts";
import { principalOfCron } from "../security/principal_of.ts";
import type { Store } from "../store/mod.ts";
import type { LaneRuns } from "./lane_runs.ts";

export interface CronWiringDeps {
  config: () => Readonly<Config>;
  store: Store;
  runs: LaneRuns;
  registry: MethodRegistry;
  clock: Clock;
  logger: Logger;
}

/** The gateway's cron scheduler (not started) and its job table; its methods are registered. */
export function createGatewayCron(deps: CronWiringDeps): { cron: CronScheduler; jobs: CronJobRepo } {
  const { config, runs } = deps;
  const jobs = createCronJobRepo(deps.store.db);
  const cron = createCronScheduler({
    repo: jobs,
    config: config().cron,
    clock: deps.clock,
    logger: deps.logger,
    // Jobs added by the cron tool in a worker are picked up within this interval.
    maxSleepMs: 15_000,
    runJob: async (job, { runId }) => {
      const agentId = job.payload.agentId ?? config().agents.defaultAgent;
      const handle = await runs.start({
        runId,
        agentId,
        sessionKey: job.payload.sessionKey ?? `cron:${job.id}`,
        text: job.payload.message,
        lane: "cron",
        principal: principalOfCron(job.id),
        source: {
          channel: "cron",
          jobId: job.id,
          ...(job.payload.deliver ? { deliver: job.payload.deliver } : {}),
        },
      });
      const result = await handle.done;
      return { ok: result.status === "ok", summary: result.text.slice(0, 500) };
    },
  });
  for (
    const m of createCronMethods({
      scheduler: cron,
      agentIds: () => config().agents.list.map((a) => a.id),
      defaultAgent: () => config().agents.defaultAgent,
      schedulerOn: () => config().cron.enabled,
      audit: deps.store.audit,
    })
  ) deps.registry.add(m);
  return { cron, jobs };
}
