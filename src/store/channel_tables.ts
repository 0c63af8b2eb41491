import type { Migration } from "./migrate.ts";

/** Channel tables (versions 300–399): pairing requests and approved senders. Offsets live in kv. */
export const channelMigrations: Migration[] = [
  {
    version: 300,
    name: "channel_pairing",
    sql: [
      `CREATE TABLE pairing_requests (
        channel TEXT NOT NULL,
        code TEXT NOT NULL,
        account_id TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        sender_name TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (channel, code)
      )`,
      "CREATE UNIQUE INDEX pairing_requests_sender ON pairing_requests (channel, account_id, sender_id)",
      `CREATE TABLE approved_senders (
        channel TEXT NOT NULL,
        account_id TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        sender_name TEXT,
        approved_at INTEGER NOT NULL,
        approved_by TEXT,
        PRIMARY KEY (channel, account_id, sender_id)
      )`,
    ],
  },
];
