/**
 * The cron scheduler: jobs live in the store; one timer (on the injected Clock) wakes at the earliest
 * due job. Each firing calls `runJob(job)` (the app wires it to the lanes, session `cron:<jobId>` unless the
 * job names one) and records a run row. After downtime, missed runs follow `cron.missedRuns`: `skip` moves
 * on to the next time, `run-once` runs a job once for everything it missed. A job never overlaps itself.
 */
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { describeError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { CronConfig } from "../config/sections/hooks.ts";
import type { CronJob, CronJobRepo, CronRun, JobPayload } from "./job_repo.ts";
import { nextRunAt, type Schedule, scheduleSchema } from "./schedule.ts";

export type RunJob = (job: CronJob) => Promise<{ ok: boolean; summary: string }>;

export interface CronSchedulerDeps {
  repo: CronJobRepo;
  runJob: RunJob;
  config: Readonly<CronConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Longest single timer sleep; the scheduler re-checks at least this often. */
  maxSleepMs?: number;
}

export interface CronScheduler {
  /** Loads jobs, handles missed runs and arms the timer. */
  start(): Promise<void>;
  /** Disarms the timer and waits for running jobs. */
  stop(): Promise<void>;
  add(input: { name: string; schedule: Schedule; payload: JobPayload; createdBy?: string }): Promise<CronJob>;
  remove(id: string): Promise<boolean>;
  list(): Promise<CronJob[]>;
  runs(jobId: string, limit?: number): Promise<CronRun[]>;
  /** Settles when every run started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

/** Creates the scheduler. */
export function createCronScheduler(deps: CronSchedulerDeps): CronScheduler {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const maxSleep = deps.maxSleepMs ?? 60_000;
  let timer: number | undefined;
  let started = false;
  const running = new Map<string, Promise<void>>();

  const execute = (job: CronJob, scheduledAt: number): Promise<void> => {
    if (running.has(job.id)) return running.get(job.id)!;
    const p = (async () => {
      const startedAt = clock.now();
      const runId = await deps.repo.startRun(job.id, scheduledAt, startedAt);
      await deps.repo.update(job.id, { lastRunAt: startedAt });
      let outcome: { ok: boolean; summary: string };
      try {
        outcome = await deps.runJob(job);
      } catch (err) {
        outcome = { ok: false, summary: describeError(err) };
      }
      await deps.repo.endRun(runId, clock.now(), outcome.ok, outcome.summary);
      logger.info("cron job ran", { job: job.id, ok: outcome.ok });
    })().catch((err) =>
      logger.error("cron job bookkeeping failed", { job: job.id, error: describeError(err) })
    )
      .finally(() => running.delete(job.id));
    running.set(job.id, p);
    return p;
  };

  /** Moves a job to its next time after `now`; disables one-off jobs that are done. */
  const advance = async (job: CronJob, now: number) => {
    const next = nextRunAt(job.schedule, now, job.createdAt);
    await deps.repo.update(
      job.id,
      next === undefined ? { nextRunAt: null, enabled: false } : { nextRunAt: next },
    );
  };

  const tick = async () => {
    timer = undefined;
    if (!started) return;
    const now = clock.now();
    for (const job of await deps.repo.list()) {
      if (!job.enabled || job.nextRunAt === undefined || job.nextRunAt > now) continue;
      if (running.has(job.id)) continue;
      const scheduledAt = job.nextRunAt;
      await advance(job, now);
      void execute(job, scheduledAt);
    }
    await arm();
  };

  const arm = async () => {
    if (!started) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    const jobs = (await deps.repo.list()).filter((j) => j.enabled && j.nextRunAt !== undefined);
    if (jobs.length === 0) {
      timer = undefined;
      return;
    }
    const soonest = Math.min(...jobs.map((j) => j.nextRunAt!));
    const delay = Math.max(0, Math.min(maxSleep, soonest - clock.now()));
    timer = clock.setTimeout(() => {
      tick().catch((err) => logger.error("cron tick failed", { error: describeError(err) }));
    }, delay);
  };

  return {
    async start() {
      if (started) return;
      started = true;
      const now = clock.now();
      for (const job of await deps.repo.list()) {
        if (!job.enabled) continue;
        if (job.nextRunAt === undefined) {
          await advance(job, now);
          continue;
        }
        if (job.nextRunAt > now) continue;
        // Missed while down.
        const missedAt = job.nextRunAt;
        await advance(job, now);
        if (deps.config.missedRuns === "run-once") void execute(job, missedAt);
        else logger.info("cron job missed while down; skipped", { job: job.id, missedAt });
      }
      await arm();
    },
    async stop() {
      started = false;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await Promise.all(running.values());
    },
    async add(input) {
      const schedule = scheduleSchema.parse(input.schedule);
      const now = clock.now();
      const id = newId("cron");
      const job: CronJob = {
        id,
        name: input.name,
        schedule,
        payload: input.payload,
        enabled: true,
        createdBy: input.createdBy,
        createdAt: now,
        nextRunAt: nextRunAt(schedule, now, now),
      };
      if (job.nextRunAt === undefined) {
        throw new RangeError(`Schedule ${JSON.stringify(input.schedule)} never fires after now`);
      }
      await deps.repo.insert(job);
      await arm();
      return job;
    },
    async remove(id) {
      const ok = await deps.repo.remove(id);
      await arm();
      return ok;
    },
    list: () => deps.repo.list(),
    runs: (jobId, limit) => deps.repo.runs(jobId, limit),
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
