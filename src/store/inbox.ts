import { type Db, listQuery } from "./db.ts";
import { afterQueue, type WriteBehind, writeVia } from "./write_behind.ts";

/** Life of an inbound message: `queued → running → done | failed | interrupted`, or `dropped` by a queue cap. */
export type InboxState = "queued" | "running" | "done" | "failed" | "interrupted" | "dropped";
export const INBOX_STATES: readonly InboxState[] = [
  "queued",
  "running",
  "done",
  "failed",
  "interrupted",
  "dropped",
];

export interface InboxAccept {
  /** channel + account + platform message id, e.g. from {@link inboxDedupeKey}. */
  dedupeKey: string;
  sessionKey: string;
  agentId: string;
  /** Any JSON value: what the run needs to process the message. */
  payload: unknown;
  runId: string;
  /** `done` records a message handled at once (an immediate chat command), only so a redelivery is seen. */
  state?: "queued" | "done";
}

export interface InboxItem {
  id: number;
  dedupeKey: string;
  runId: string;
  sessionKey: string;
  agentId: string;
  payload: unknown;
  state: InboxState;
  /** Set by `recover()` when the message was running when the process died. */
  interrupted: boolean;
  /** How many times `recover()` picked this message up again. */
  recoveries: number;
  error?: string;
  createdAt: number;
  updatedAt: number;
}

/** The durable inbox: an accepted message is written here before anything else happens. */
export interface InboxRepo {
  /** Stores a message unless its dedupe key was seen before (then `duplicate` is true and nothing changes). */
  accept(m: InboxAccept): Promise<{ id: number; duplicate: boolean; runId: string }>;
  get(id: number): Promise<InboxItem | undefined>;
  /**
   * Moves messages to a state; `error` is kept for failed/interrupted/dropped. Resolves once the change is
   * committed, except `running` through a write-behind queue (see createInboxRepo), which is queued.
   */
  mark(ids: readonly number[], state: InboxState, error?: string): Promise<void>;
  /**
   * Called once on start: returns every message still `queued` or `running` from before, oldest first.
   * Running ones come back `queued` with `interrupted: true` and `recoveries` incremented, so the caller
   * marks the transcript interrupted and re-runs them (or answers with a notice) — never drops them.
   */
  recover(): Promise<InboxItem[]>;
  list(filter?: { state?: InboxState; sessionKey?: string; limit?: number }): Promise<InboxItem[]>;
  counts(): Promise<Record<InboxState, number>>;
  /** Deletes finished rows (done, failed, interrupted, dropped) last updated before `beforeTs`. */
  prune(beforeTs: number): Promise<number>;
}

/** The dedupe key of a platform message. */
export function inboxDedupeKey(channel: string, accountId: string, platformMessageId: string): string {
  for (
    const [name, v] of [["channel", channel], ["accountId", accountId], [
      "platformMessageId",
      platformMessageId,
    ]]
  ) {
    if (!v) throw new TypeError(`inboxDedupeKey: ${name} must be a non-empty string`);
  }
  return `${channel}\u001f${accountId}\u001f${platformMessageId}`;
}

type Row = Record<string, unknown>;

function toItem(r: Row): InboxItem {
  return {
    id: Number(r.id),
    dedupeKey: String(r.dedupe_key),
    runId: String(r.run_id),
    sessionKey: String(r.session_key),
    agentId: String(r.agent_id),
    payload: JSON.parse(String(r.payload)),
    state: String(r.state) as InboxState,
    interrupted: Number(r.interrupted) === 1,
    recoveries: Number(r.recoveries),
    error: r.error == null ? undefined : String(r.error),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/**
 * Creates the inbox repository on the `lane_inbox` table.
 *
 * With `queue` (the gateway's write-behind queue, write_behind.ts), a turn's inbox marks cost one write
 * transaction instead of two: `running` is queued with the turn's milestones, and the final mark (`done`,
 * `failed`, …) commits it, everything queued before it and itself as one transaction. `accept` is written at
 * once and does not wait for the queue: a message is durable before it is acknowledged. The price: a crash
 * within the queue's 10 ms of a run's start loses its `running` mark, so `recover()` re-runs the message
 * as `queued` rather than `interrupted` (it re-runs either way; only the "interrupted" note is missing).
 * Reads wait for the queue, so they see every mark made before them.
 */
export function createInboxRepo(base: Db, now: () => number = Date.now, queue?: WriteBehind): InboxRepo {
  const db = afterQueue(base, queue);
  return {
    async accept(m) {
      if (!m.dedupeKey || !m.sessionKey || !m.agentId || !m.runId) {
        throw new TypeError("inbox.accept: dedupeKey, sessionKey, agentId and runId are required");
      }
      const payload = JSON.stringify(m.payload ?? null);
      const ts = now();
      const r = await base.run(
        `INSERT INTO lane_inbox (dedupe_key, run_id, session_key, agent_id, payload, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING`,
        [m.dedupeKey, m.runId, m.sessionKey, m.agentId, payload, m.state ?? "queued", ts, ts],
      );
      if (r.rowsAffected > 0) return { id: Number(r.lastInsertRowid), duplicate: false, runId: m.runId };
      const rows = await base.query<Row>("SELECT id, run_id FROM lane_inbox WHERE dedupe_key = ?", [
        m.dedupeKey,
      ]);
      const row = rows[0];
      if (!row) throw new RangeError(`inbox.accept: dedupe key vanished during insert`);
      return { id: Number(row.id), duplicate: true, runId: String(row.run_id) };
    },
    async get(id) {
      const rows = await db.query<Row>("SELECT * FROM lane_inbox WHERE id = ?", [id]);
      return rows[0] ? toItem(rows[0]) : undefined;
    },
    async mark(ids, state, error) {
      if (!INBOX_STATES.includes(state)) throw new RangeError(`inbox.mark: unknown state "${state}"`);
      if (ids.length === 0) return;
      await writeVia(queue, base, {
        sql: `UPDATE lane_inbox SET state = ?, error = ?, updated_at = ? WHERE id IN (${
          ids.map(() => "?").join(",")
        })`,
        args: [state, error ?? null, now(), ...ids],
      });
      if (queue && state !== "running") await queue.flush();
    },
    async recover() {
      await db.run(
        `UPDATE lane_inbox SET state = 'queued', interrupted = 1, recoveries = recoveries + 1, updated_at = ?
         WHERE state = 'running'`,
        [now()],
      );
      const rows = await db.query<Row>("SELECT * FROM lane_inbox WHERE state = 'queued' ORDER BY id");
      return rows.map(toItem);
    },
    async list(filter = {}) {
      const q = listQuery(
        "lane_inbox",
        { state: filter.state || undefined, session_key: filter.sessionKey || undefined },
        filter.limit ?? 100,
      );
      return (await db.query<Row>(q.sql, q.args)).map(toItem);
    },
    async counts() {
      const out = Object.fromEntries(INBOX_STATES.map((s) => [s, 0])) as Record<InboxState, number>;
      const rows = await db.query<Row>("SELECT state, COUNT(*) AS n FROM lane_inbox GROUP BY state");
      for (const r of rows) out[String(r.state) as InboxState] = Number(r.n);
      return out;
    },
    async prune(beforeTs) {
      const r = await db.run(
        "DELETE FROM lane_inbox WHERE state IN ('done', 'failed', 'interrupted', 'dropped') AND updated_at < ?",
        [beforeTs],
      );
      return r.rowsAffected;
    },
  };
}
