import type { Migration } from "./migrate.ts";

/** Tools and cron tables (versions 400–499): approvals, the approval allowlist, cron jobs and runs. */
export const toolMigrations: Migration[] = [
  {
    version: 400,
    name: "tool_approvals",
    sql: [
      `CREATE TABLE tool_approvals (
        id TEXT PRIMARY KEY,
        run_id TEXT,
        session_key TEXT,
        tool TEXT NOT NULL,
        argv TEXT NOT NULL,
        cwd TEXT NOT NULL,
        hash TEXT NOT NULL,
        status TEXT NOT NULL,
        resolved_by TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        resolved_at INTEGER
      )`,
      "CREATE INDEX tool_approvals_status ON tool_approvals (status, created_at)",
      `CREATE TABLE tool_approval_allowlist (
        pattern TEXT PRIMARY KEY,
        created_by TEXT,
        created_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 401,
    name: "cron",
    sql: [
      `CREATE TABLE cron_jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        schedule TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        enabled INTEGER NOT NULL DEFAULT 1,
        next_run_at INTEGER,
        last_run_at INTEGER,
        created_by TEXT,
        created_at INTEGER NOT NULL
      )`,
      "CREATE INDEX cron_jobs_next ON cron_jobs (enabled, next_run_at)",
      `CREATE TABLE cron_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL,
        scheduled_at INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        ok INTEGER,
        summary TEXT
      )`,
      "CREATE INDEX cron_runs_job ON cron_runs (job_id, id)",
    ],
  },
  {
    version: 402,
    name: "tool_approvals_binding",
    // What an approval is bound to beyond argv and cwd: stdin summary, env names, network, confinement,
    // and the files the agent changed that the program reads (JSON; NULL for older rows).
    sql: ["ALTER TABLE tool_approvals ADD COLUMN binding TEXT"],
  },
  {
    version: 403,
    name: "cron_runs_run_id",
    // The agent run a cron firing started, so its history links to the run timeline (NULL for older rows).
    sql: ["ALTER TABLE cron_runs ADD COLUMN run_id TEXT"],
  },
  {
    version: 404,
    name: "tool_approval_patterns",
    // Exec approval patterns added at run time ('program arg…', matched like tools.exec.approvals).
    sql: [
      `CREATE TABLE tool_approval_patterns (
        pattern TEXT PRIMARY KEY,
        created_by TEXT,
        created_at INTEGER NOT NULL
      )`,
    ],
  },
];
