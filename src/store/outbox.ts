import { type Db, listQuery } from "./db.ts";

/**
 * Life of a reply chunk: `pending → sending → sent`; a failed send goes back to `pending` with a backoff
 * until it runs out of attempts and becomes `dead` (the dead-letter list); `dropped` by an operator.
 */
export type OutboxState = "pending" | "sending" | "sent" | "dead" | "dropped";
export const OUTBOX_STATES: readonly OutboxState[] = ["pending", "sending", "sent", "dead", "dropped"];

/** Where a chunk goes: a channel account and a chat/peer/thread id in that channel's terms. */
export interface OutboxTarget {
  channel: string;
  accountId: string;
  /** The chat to send to, e.g. a Telegram chat id or `chat:thread`. */
  to: string;
}

export interface OutboxEnqueue {
  runId: string;
  chunkIndex: number;
  target: OutboxTarget;
  sessionKey?: string;
  /** Any JSON value the channel's sender understands (text, media refs, reply-to …). */
  payload: unknown;
}

export interface OutboxItem {
  id: number;
  /** runId + chunk index + target: the same chunk is never stored twice. */
  idempotencyKey: string;
  runId: string;
  sessionKey?: string;
  target: OutboxTarget;
  chunkIndex: number;
  payload: unknown;
  state: OutboxState;
  attempts: number;
  /** True when the item was `sending` when the process died and has been given its one retry. */
  recovered: boolean;
  lastError?: string;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  sentAt?: number;
}

/** The durable outbox: every reply chunk is written here before it is sent. */
export interface OutboxRepo {
  /** Stores a chunk; when its idempotency key exists already nothing changes and `duplicate` is true. */
  enqueue(m: OutboxEnqueue): Promise<{ id: number; idempotencyKey: string; duplicate: boolean }>;
  /**
   * Claims up to `limit` chunks due at `at` (state → `sending`, attempts + 1). Per target only the oldest
   * unsent chunk is handed out, so chunks of one chat go out in order.
   */
  claimDue(at: number, limit: number): Promise<OutboxItem[]>;
  markSent(id: number): Promise<void>;
  /** A send failed: back to `pending` at `retryAt`, or `dead` when `retryAt` is undefined. */
  markFailed(id: number, error: string, retryAt: number | undefined): Promise<void>;
  /**
   * Called once on start. Items left `sending` by a crash get exactly one more try (back to `pending`,
   * `recovered` set); an item that was already recovered once goes to `dead` instead. Returns how many
   * were requeued and how many went dead.
   */
  recover(): Promise<{ requeued: number; dead: number }>;
  get(id: number): Promise<OutboxItem | undefined>;
  list(
    filter?: { state?: OutboxState | readonly OutboxState[]; runId?: string; limit?: number },
  ): Promise<OutboxItem[]>;
  /** Puts a dead (or dropped) item back to `pending` with its attempts reset. `undefined` = every dead one. */
  retry(id?: number): Promise<number>;
  /** Marks a not-yet-sent item `dropped`: it is never sent. */
  drop(id: number): Promise<boolean>;
  /** The earliest `next_attempt_at` of pending items that are next in line for their target, if any. */
  nextDueAt(): Promise<number | undefined>;
  counts(): Promise<Record<OutboxState, number>>;
}

/** The idempotency key of one reply chunk. */
export function outboxKey(runId: string, chunkIndex: number, target: OutboxTarget): string {
  return [runId, String(chunkIndex), target.channel, target.accountId, target.to].join("\u001f");
}

type Row = Record<string, unknown>;

/** An earlier unsent chunk for the same target of row `o`: chunks of one chat go out in order. */
const HEAD_BLOCKED = `SELECT 1 FROM lane_outbox p WHERE p.channel = o.channel AND p.account_id = o.account_id
  AND p.target = o.target AND p.id < o.id AND p.state IN ('pending', 'sending')`;

function toItem(r: Row): OutboxItem {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idem_key),
    runId: String(r.run_id),
    sessionKey: r.session_key == null ? undefined : String(r.session_key),
    target: { channel: String(r.channel), accountId: String(r.account_id), to: String(r.target) },
    chunkIndex: Number(r.chunk_index),
    payload: JSON.parse(String(r.payload)),
    state: String(r.state) as OutboxState,
    attempts: Number(r.attempts),
    recovered: Number(r.recovered) === 1,
    lastError: r.last_error == null ? undefined : String(r.last_error),
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    sentAt: r.sent_at == null ? undefined : Number(r.sent_at),
  };
}

/** Creates the outbox repository on the `lane_outbox` table. */
export function createOutboxRepo(db: Db, now: () => number = Date.now): OutboxRepo {
  return {
    async enqueue(m) {
      const { channel, accountId, to } = m.target ?? {};
      if (!m.runId || !channel || !accountId || !to) {
        throw new TypeError("outbox.enqueue: runId and target {channel, accountId, to} are required");
      }
      if (!Number.isInteger(m.chunkIndex) || m.chunkIndex < 0) {
        throw new RangeError(`outbox.enqueue: chunkIndex must be an integer ≥ 0, got ${m.chunkIndex}`);
      }
      const key = outboxKey(m.runId, m.chunkIndex, m.target);
      const ts = now();
      const r = await db.run(
        `INSERT INTO lane_outbox (idem_key, run_id, session_key, channel, account_id, target, chunk_index, payload,
           state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT(idem_key) DO NOTHING`,
        [
          key,
          m.runId,
          m.sessionKey ?? null,
          channel,
          accountId,
          to,
          m.chunkIndex,
          JSON.stringify(m.payload ?? null),
          ts,
          ts,
          ts,
        ],
      );
      if (r.rowsAffected > 0) return { id: Number(r.lastInsertRowid), idempotencyKey: key, duplicate: false };
      const rows = await db.query<Row>("SELECT id FROM lane_outbox WHERE idem_key = ?", [key]);
      return { id: Number(rows[0]?.id), idempotencyKey: key, duplicate: true };
    },
    async claimDue(at, limit) {
      const rows = await db.query<Row>(
        `UPDATE lane_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
         WHERE id IN (
           SELECT o.id FROM lane_outbox o
           WHERE o.state = 'pending' AND o.next_attempt_at <= ?
             AND NOT EXISTS (${HEAD_BLOCKED})
           ORDER BY o.id LIMIT ?)
         RETURNING *`,
        [now(), at, limit],
      );
      return rows.map(toItem).sort((a, b) => a.id - b.id);
    },
    async markSent(id) {
      const ts = now();
      await db.run(
        "UPDATE lane_outbox SET state = 'sent', sent_at = ?, updated_at = ?, last_error = NULL WHERE id = ?",
        [ts, ts, id],
      );
    },
    async markFailed(id, error, retryAt) {
      await db.run(
        "UPDATE lane_outbox SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'",
        [retryAt === undefined ? "dead" : "pending", error, retryAt ?? now(), now(), id],
      );
    },
    async recover() {
      const ts = now();
      const dead = await db.run(
        `UPDATE lane_outbox SET state = 'dead', updated_at = ?,
           last_error = 'interrupted twice while sending; not retried again to avoid a duplicate'
         WHERE state = 'sending' AND recovered = 1`,
        [ts],
      );
      const requeued = await db.run(
        "UPDATE lane_outbox SET state = 'pending', recovered = 1, next_attempt_at = ?, updated_at = ? WHERE state = 'sending'",
        [ts, ts],
      );
      return { requeued: requeued.rowsAffected, dead: dead.rowsAffected };
    },
    async get(id) {
      const rows = await db.query<Row>("SELECT * FROM lane_outbox WHERE id = ?", [id]);
      return rows[0] ? toItem(rows[0]) : undefined;
    },
    async list(filter = {}) {
      for (const state of [filter.state ?? []].flat()) {
        if (!OUTBOX_STATES.includes(state)) throw new RangeError(`outbox.list: unknown state "${state}"`);
      }
      const q = listQuery(
        "lane_outbox",
        { state: filter.state || undefined, run_id: filter.runId || undefined },
        filter.limit ?? 100,
      );
      return (await db.query<Row>(q.sql, q.args)).map(toItem);
    },
    async retry(id) {
      const ts = now();
      const r = id === undefined
        ? await db.run(
          "UPDATE lane_outbox SET state = 'pending', attempts = 0, recovered = 0, next_attempt_at = ?, updated_at = ? WHERE state = 'dead'",
          [ts, ts],
        )
        : await db.run(
          `UPDATE lane_outbox SET state = 'pending', attempts = 0, recovered = 0, next_attempt_at = ?, updated_at = ?
           WHERE id = ? AND state IN ('dead', 'dropped')`,
          [ts, ts, id],
        );
      return r.rowsAffected;
    },
    async drop(id) {
      const r = await db.run(
        "UPDATE lane_outbox SET state = 'dropped', updated_at = ? WHERE id = ? AND state IN ('pending', 'dead')",
        [now(), id],
      );
      return r.rowsAffected > 0;
    },
    async nextDueAt() {
      const rows = await db.query<Row>(
        `SELECT MIN(o.next_attempt_at) AS t FROM lane_outbox o WHERE o.state = 'pending'
        AND NOT EXISTS (${HEAD_BLOCKED})`,
      );
      const t = rows[0]?.t;
      return t == null ? undefined : Number(t);
    },
    async counts() {
      const out = Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
      const rows = await db.query<Row>("SELECT state, COUNT(*) AS n FROM lane_outbox GROUP BY state");
      for (const r of rows) out[String(r.state) as OutboxState] = Number(r.n);
      return out;
    },
  };
}
