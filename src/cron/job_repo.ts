/** Cron jobs and their run history in the store (tables from store/tool_tables.ts). */
import type { Db } from "../store/db.ts";
import type { Schedule } from "./schedule.ts";

/** What a job does when it fires. */
export interface JobPayload {
  /** The message the agent runs. */
  message: string;
  agentId?: string;
  /** Session to run in; default `cron:<jobId>`. */
  sessionKey?: string;
  /** Where to deliver the reply, when anywhere. */
  deliver?: { channel: string; to: string; accountId?: string };
}

export interface CronJob {
  id: string;
  name: string;
  schedule: Schedule;
  payload: JobPayload;
  enabled: boolean;
  nextRunAt?: number;
  lastRunAt?: number;
  createdBy?: string;
  createdAt: number;
}

export interface CronRun {
  id: number;
  jobId: string;
  scheduledAt: number;
  startedAt: number;
  endedAt?: number;
  ok?: boolean;
  summary?: string;
  /** The agent run this firing started (its timeline). */
  runId?: string;
}

/** What `update` may change. */
export interface CronJobFields {
  name?: string;
  schedule?: Schedule;
  payload?: JobPayload;
  nextRunAt?: number | null;
  lastRunAt?: number;
  enabled?: boolean;
}

export interface CronJobRepo {
  insert(job: CronJob): Promise<void>;
  get(id: string): Promise<CronJob | undefined>;
  list(): Promise<CronJob[]>;
  remove(id: string): Promise<boolean>;
  update(id: string, fields: CronJobFields): Promise<void>;
  startRun(jobId: string, scheduledAt: number, startedAt: number, runId?: string): Promise<number>;
  endRun(runId: number, endedAt: number, ok: boolean, summary: string): Promise<void>;
  runs(jobId: string, limit?: number): Promise<CronRun[]>;
}

/** Creates the repository. */
export function createCronJobRepo(db: Db): CronJobRepo {
  const toJob = (r: Record<string, unknown>): CronJob => ({
    id: String(r.id),
    name: String(r.name),
    schedule: JSON.parse(String(r.schedule)),
    payload: JSON.parse(String(r.payload)),
    enabled: Number(r.enabled) === 1,
    nextRunAt: r.next_run_at == null ? undefined : Number(r.next_run_at),
    lastRunAt: r.last_run_at == null ? undefined : Number(r.last_run_at),
    createdBy: r.created_by == null ? undefined : String(r.created_by),
    createdAt: Number(r.created_at),
  });
  return {
    async insert(j) {
      await db.run(
        `INSERT INTO cron_jobs (id, name, schedule, payload, enabled, next_run_at, last_run_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          j.id,
          j.name,
          JSON.stringify(j.schedule),
          JSON.stringify(j.payload),
          j.enabled ? 1 : 0,
          j.nextRunAt ?? null,
          j.lastRunAt ?? null,
          j.createdBy ?? null,
          j.createdAt,
        ],
      );
    },
    async get(id) {
      const rows = await db.query<Record<string, unknown>>("SELECT * FROM cron_jobs WHERE id = ?", [id]);
      return rows[0] ? toJob(rows[0]) : undefined;
    },
    async list() {
      return (await db.query<Record<string, unknown>>("SELECT * FROM cron_jobs ORDER BY created_at, id")).map(
        toJob,
      );
    },
    async remove(id) {
      const r = await db.run("DELETE FROM cron_jobs WHERE id = ?", [id]);
      return r.rowsAffected > 0;
    },
    async update(id, f) {
      const sets: string[] = [];
      const args: (number | string | null)[] = [];
      if (f.name !== undefined) {
        sets.push("name = ?");
        args.push(f.name);
      }
      if (f.schedule !== undefined) {
        sets.push("schedule = ?");
        args.push(JSON.stringify(f.schedule));
      }
      if (f.payload !== undefined) {
        sets.push("payload = ?");
        args.push(JSON.stringify(f.payload));
      }
      if (f.nextRunAt !== undefined) {
        sets.push("next_run_at = ?");
        args.push(f.nextRunAt);
      }
      if (f.lastRunAt !== undefined) {
        sets.push("last_run_at = ?");
        args.push(f.lastRunAt);
      }
      if (f.enabled !== undefined) {
        sets.push("enabled = ?");
        args.push(f.enabled ? 1 : 0);
      }
      if (sets.length) await db.run(`UPDATE cron_jobs SET ${sets.join(", ")} WHERE id = ?`, [...args, id]);
    },
    async startRun(jobId, scheduledAt, startedAt, runId) {
      const r = await db.run(
        "INSERT INTO cron_runs (job_id, scheduled_at, started_at, run_id) VALUES (?, ?, ?, ?)",
        [jobId, scheduledAt, startedAt, runId ?? null],
      );
      return Number(r.lastInsertRowid);
    },
    async endRun(runId, endedAt, ok, summary) {
      await db.run("UPDATE cron_runs SET ended_at = ?, ok = ?, summary = ? WHERE id = ?", [
        endedAt,
        ok ? 1 : 0,
        summary.slice(0, 2000),
        runId,
      ]);
    },
    async runs(jobId, limit = 50) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT ?",
        [jobId, limit],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        jobId: String(r.job_id),
        scheduledAt: Number(r.scheduled_at),
        startedAt: Number(r.started_at),
        endedAt: r.ended_at == null ? undefined : Number(r.ended_at),
        ok: r.ok == null ? undefined : Number(r.ok) === 1,
        summary: r.summary == null ? undefined : String(r.summary),
        ...(r.run_id == null ? {} : { runId: String(r.run_id) }),
      }));
    },
  };
}
