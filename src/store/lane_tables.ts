import type { Migration } from "./migrate.ts";

/** Lanes tables (versions 200–299): the durable inbox and outbox. */
export const laneMigrations: Migration[] = [
  {
    version: 200,
    name: "lanes_inbox_outbox",
    sql: [
      `CREATE TABLE lane_inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        session_key TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        interrupted INTEGER NOT NULL DEFAULT 0,
        recoveries INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      "CREATE INDEX lane_inbox_state ON lane_inbox (state, id)",
      `CREATE TABLE lane_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idem_key TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        session_key TEXT,
        channel TEXT NOT NULL,
        account_id TEXT NOT NULL,
        target TEXT NOT NULL,
        chunk_index INTEGER NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        recovered INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER
      )`,
      "CREATE INDEX lane_outbox_state ON lane_outbox (state, next_attempt_at, id)",
      "CREATE INDEX lane_outbox_target ON lane_outbox (channel, account_id, target, id)",
    ],
  },
];
