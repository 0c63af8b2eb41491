import type { Migration } from "./migrate.ts";

/** Agent tables (versions 100–199): sessions, append-only transcript entries, per-run usage. */
export const agentMigrations: Migration[] = [
  {
    version: 100,
    name: "agent_sessions_transcripts_usage",
    sql: [
      `CREATE TABLE sessions (
        session_key TEXT PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        agent_id TEXT NOT NULL,
        model TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        last_channel TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      "CREATE INDEX sessions_agent ON sessions (agent_id, updated_at)",
      `CREATE TABLE transcript_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        run_id TEXT,
        content TEXT NOT NULL,
        tokens INTEGER NOT NULL DEFAULT 0,
        ts INTEGER NOT NULL,
        UNIQUE (session_id, seq)
      )`,
      "CREATE INDEX transcript_run ON transcript_entries (run_id)",
      `CREATE TABLE usage (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        session_key TEXT,
        day TEXT NOT NULL,
        model TEXT,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        ts INTEGER NOT NULL
      )`,
      "CREATE INDEX usage_agent_day ON usage (agent_id, day)",
    ],
  },
  {
    version: 101,
    name: "transcript kind index",
    // The latest compaction of a session is looked up before every model call.
    sql: ["CREATE INDEX transcript_session_kind ON transcript_entries (session_id, kind, seq)"],
  },
  {
    version: 102,
    name: "earlier transcripts of a session key",
    // `/new` and `/reset` give a session key a new transcript; this row keeps the old one findable.
    // Transcripts reset before this table existed are found through their runs' audit rows.
    sql: [
      `CREATE TABLE session_transcripts (
        session_id TEXT PRIMARY KEY,
        session_key TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        ended_at INTEGER NOT NULL
      )`,
      "CREATE INDEX session_transcripts_key ON session_transcripts (session_key, ended_at)",
      `INSERT OR IGNORE INTO session_transcripts (session_id, session_key, agent_id, ended_at)
       SELECT te.session_id, s.session_key, s.agent_id, MAX(te.ts)
       FROM transcript_entries te
       JOIN audit a ON a.run_id = te.run_id AND a.kind = 'agent.run'
       JOIN sessions s ON s.session_key = a.session_key
       WHERE te.session_id NOT IN (SELECT session_id FROM sessions)
       GROUP BY te.session_id`,
    ],
  },
];
