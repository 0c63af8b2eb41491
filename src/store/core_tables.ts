import type { Migration } from "./migrate.ts";

/** Core tables: audit, events, kv, credentials. */
export const coreMigrations: Migration[] = [
  {
    version: 1,
    name: "core",
    sql: [
      `CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      )`,
      `CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        run_id TEXT,
        session_key TEXT,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      )`,
      "CREATE INDEX audit_kind_ts ON audit (kind, ts)",
      "CREATE INDEX audit_run ON audit (run_id)",
      `CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        run_id TEXT,
        session_key TEXT,
        kind TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
      )`,
      "CREATE INDEX events_run ON events (run_id, id)",
      `CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      )`,
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        credential_id TEXT,
        client_id TEXT,
        platform TEXT,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: "audit principal",
    // Who caused the run of an audit row (src/core/principal.ts); the run timeline shows it.
    sql: ["ALTER TABLE audit ADD COLUMN principal TEXT"],
  },
];
