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
import { newId, newRunId } from "../core/ids.ts";
import { TalonError } from "../core/errors.ts";
import type { CronConfig } from "../config/sections/hooks.ts";
import type { CronJob, CronJobFields, CronJobRepo, CronRun, JobPayload } from "./job_repo.ts";
import { nextRunAt, type Schedule, scheduleSchema } from "./schedule.ts";

/** Runs a job's message as agent run `runId` (recorded in the job's history before it starts). */
export type RunJob = (job: CronJob, run: { runId: string }) => Promise<{ ok: boolean; summary: string }>;

/** What `update` may change about a job. */
export type CronJobChanges = Pick<CronJobFields, "name" | "schedule" | "payload" | "enabled">;

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
  /**
   * Changes a job; a new schedule or turning it on computes the next time from now. Throws NOT_FOUND for
   * an unknown job and RangeError when the job would never fire again.
   */
  update(id: string, changes: CronJobChanges): Promise<CronJob>;
  /** Runs a job now, outside its schedule (the schedule is unchanged). CONFLICT while it is running. */
  runNow(id: string): Promise<{ runId: string }>;
  /** Ids of the jobs running now. */
  runningIds(): string[];
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

  const execute = (job: CronJob, scheduledAt: number): { runId: string; done: Promise<void> } => {
    const runId = newRunId();
    const p = (async () => {
      const startedAt = clock.now();
      const historyId = await deps.repo.startRun(job.id, scheduledAt, startedAt, runId);
      await deps.repo.update(job.id, { lastRunAt: startedAt });
      let outcome: { ok: boolean; summary: string };
      try {
        outcome = await deps.runJob(job, { runId });
      } catch (err) {
        outcome = { ok: false, summary: describeError(err) };
      }
      await deps.repo.endRun(historyId, clock.now(), outcome.ok, outcome.summary);
      logger.info("cron job ran", { job: job.id, ok: outcome.ok });
    })().catch((err) =>
      logger.error("cron job bookkeeping failed", { job: job.id, error: describeError(err) })
    )
      .finally(() => running.delete(job.id));
    running.set(job.id, p);
    return { runId, done: p };
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
      void execute(job, scheduledAt).done;
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
        if (deps.config.missedRuns === "run-once") void execute(job, missedAt).done;
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
    async update(id, changes) {
      const job = await deps.repo.get(id);
      if (!job) throw new TalonError("NOT_FOUND", `No cron job ${id}`);
      const schedule = changes.schedule ? scheduleSchema.parse(changes.schedule) : job.schedule;
      const enabled = changes.enabled ?? job.enabled;
      const fields: CronJobFields = { ...changes, schedule };
      if (!enabled) fields.nextRunAt = null;
      else if (changes.schedule || !job.enabled) {
        const next = nextRunAt(schedule, clock.now(), job.createdAt);
        if (next === undefined) {
          throw new RangeError(`Schedule ${JSON.stringify(schedule)} never fires after now`);
        }
        fields.nextRunAt = next;
      }
      await deps.repo.update(id, fields);
      await arm();
      return (await deps.repo.get(id))!;
    },
    async runNow(id) {
      const job = await deps.repo.get(id);
      if (!job) throw new TalonError("NOT_FOUND", `No cron job ${id}`);
      if (running.has(id)) throw new TalonError("CONFLICT", `Cron job ${id} is running now`);
      return { runId: execute(job, clock.now()).runId };
    },
    runningIds: () => [...running.keys()],
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
