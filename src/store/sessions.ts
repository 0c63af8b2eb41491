import { newId } from "../core/ids.ts";
import type { Db } from "./db.ts";
import { afterQueue, type WriteBehind, writeVia } from "./write_behind.ts";

/** Per-session settings kept as JSON (queue mode and similar switches set by commands or the UI). */
export interface SessionSettings {
  queueMode?: "steer" | "followup" | "collect" | "interrupt";
  [key: string]: unknown;
}

/** Where a session last heard from, so replies and notices can go back there. */
export interface SessionChannel {
  channel: string;
  [key: string]: unknown;
}

/** A session: a stable key (routing) pointing at the current transcript (`sessionId`). */
export interface Session {
  sessionKey: string;
  sessionId: string;
  agentId: string;
  /** Model ref override set with `/model`, when any. */
  model?: string;
  settings: SessionSettings;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  lastChannel?: SessionChannel;
  createdAt: number;
  updatedAt: number;
}

/** Sessions by key. Resetting a session starts a new transcript (new sessionId) and zeroes its counters. */
export interface SessionRepo {
  get(sessionKey: string): Promise<Session | undefined>;
  /** Returns the session, creating it (with a new sessionId) for `agentId` when missing. */
  ensure(sessionKey: string, agentId: string): Promise<Session>;
  /**
   * A run starts: like ensure, and records `lastChannel` (when given) and the activity time, in one
   * statement. `created` is true when the session did not exist (its transcript is empty).
   */
  open(
    sessionKey: string,
    agentId: string,
    lastChannel?: SessionChannel,
  ): Promise<{ session: Session; created: boolean }>;
  /** Newest first. */
  list(filter?: { agentId?: string; limit?: number }): Promise<Session[]>;
  /** New sessionId, counters zeroed, model override and settings kept. Creates the session when missing. */
  reset(sessionKey: string, agentId: string): Promise<Session>;
  /** Sets (or clears with `undefined`) the model override. */
  setModel(sessionKey: string, model: string | undefined): Promise<void>;
  /** Sessions that have a queue mode of their own (set with `/queue`), as key → mode. */
  queueModes(): Promise<Map<string, NonNullable<SessionSettings["queueMode"]>>>;
  /** Merges `patch` into the settings (a key set to `null` is removed). */
  updateSettings(sessionKey: string, patch: Record<string, unknown>): Promise<SessionSettings>;
  setLastChannel(sessionKey: string, channel: SessionChannel): Promise<void>;
  /** Adds one run's tokens and cost to the counters. */
  addUsage(
    sessionKey: string,
    u: { inputTokens: number; outputTokens: number; costUsd: number },
  ): Promise<void>;
  delete(sessionKey: string): Promise<boolean>;
}

const SELECT_BY_KEY = "SELECT * FROM sessions WHERE session_key = ?";

/** A run opens its session: created when missing, else its activity time and last channel updated. */
const OPEN_UPSERT =
  `INSERT INTO sessions (session_key, session_id, agent_id, created_at, updated_at, last_channel)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT(session_key) DO UPDATE SET updated_at = excluded.updated_at,
    last_channel = COALESCE(excluded.last_channel, sessions.last_channel)`;

/**
 * Sessions over `base`; with `queue` (a shard worker), `open` and `addUsage` write through it
 * (write_behind.ts) and every other statement waits for it to be committed first. `open` starts a run: it
 * reads the row without waiting (a session's runs are one at a time with the queue flushed at the end of
 * each, so nothing of its own can be waiting there) and queues its upsert, which the run's first transcript
 * entry commits along with itself (createTranscriptRepo).
 */
export function createSessionRepo(base: Db, now = Date.now, queue?: WriteBehind): SessionRepo {
  const db = afterQueue(base, queue);
  const queueModes = async () => {
    const rows = await db.query<{ session_key: string; mode: string }>(
      "SELECT session_key, json_extract(settings, '$.queueMode') AS mode FROM sessions WHERE mode IS NOT NULL",
    );
    return new Map(rows.map((r) => [r.session_key, r.mode as NonNullable<SessionSettings["queueMode"]>]));
  };
  const get = async (key: string) => {
    const [row] = await db.query<Record<string, unknown>>(SELECT_BY_KEY, [key]);
    return row ? toSession(row) : undefined;
  };
  const touch = async (sql: string, args: (string | number | null)[]) => {
    await db.run(sql, args);
  };
  return {
    queueModes,
    get,
    async ensure(key, agentId) {
      const t = now();
      await db.run(
        `INSERT INTO sessions (session_key, session_id, agent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(session_key) DO NOTHING`,
        [key, newId("ses"), agentId, t, t],
      );
      return (await get(key))!;
    },
    async open(key, agentId, lastChannel) {
      const t = now();
      const id = newId("ses");
      const channel = lastChannel ? JSON.stringify(lastChannel) : null;
      if (queue) {
        // A shard worker: the row is read now and its write queued, to be committed with the run's first
        // transcript entry (transcripts.append → flushWith) instead of in a transaction of its own. The
        // upsert is the same statement as below, so a key another writer created in between is updated,
        // not duplicated; the transcript append then finds our id missing and refuses.
        const [row] = await base.query<Record<string, unknown>>(SELECT_BY_KEY, [key]);
        await queue.add({ sql: OPEN_UPSERT, args: [key, id, agentId, t, t, channel] });
        if (row) {
          const session = toSession(row);
          session.updatedAt = t;
          if (lastChannel) session.lastChannel = lastChannel;
          return { session, created: false };
        }
        const session = toSession({
          session_key: key,
          session_id: id,
          agent_id: agentId,
          input_tokens: 0,
          output_tokens: 0,
          cost_usd: 0,
          last_channel: channel,
          created_at: t,
          updated_at: t,
        });
        return { session, created: true };
      }
      const rows = await base.query<Record<string, unknown>>(
        `${OPEN_UPSERT} RETURNING *`,
        [key, id, agentId, t, t, channel],
      );
      const session = toSession(rows[0]!);
      return { session, created: session.sessionId === id };
    },
    async list(filter = {}) {
      const args: (string | number)[] = [];
      let where = "";
      if (filter.agentId) {
        where = "WHERE agent_id = ?";
        args.push(filter.agentId);
      }
      args.push(filter.limit ?? 1000);
      const rows = await db.query<Record<string, unknown>>(
        `SELECT * FROM sessions ${where} ORDER BY updated_at DESC, session_key LIMIT ?`,
        args,
      );
      return rows.map(toSession);
    },
    async reset(key, agentId) {
      const t = now();
      // The old transcript stays, listed as an earlier transcript of the key (session_archive.ts).
      await db.batch([
        {
          sql: `INSERT OR IGNORE INTO session_transcripts (session_id, session_key, agent_id, ended_at)
                SELECT session_id, session_key, agent_id, ? FROM sessions WHERE session_key = ?`,
          args: [t, key],
        },
        {
          sql:
            `INSERT INTO sessions (session_key, session_id, agent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(session_key) DO UPDATE SET session_id = excluded.session_id, input_tokens = 0,
           output_tokens = 0, cost_usd = 0, updated_at = excluded.updated_at`,
          args: [key, newId("ses"), agentId, t, t],
        },
      ]);
      return (await get(key))!;
    },
    async setModel(key, model) {
      await touch("UPDATE sessions SET model = ?, updated_at = ? WHERE session_key = ?", [
        model ?? null,
        now(),
        key,
      ]);
    },
    async updateSettings(key, patch) {
      const current = (await get(key))?.settings ?? {};
      const next: Record<string, unknown> = { ...current };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      await touch("UPDATE sessions SET settings = ?, updated_at = ? WHERE session_key = ?", [
        JSON.stringify(next),
        now(),
        key,
      ]);
      return next as SessionSettings;
    },
    async setLastChannel(key, channel) {
      await touch("UPDATE sessions SET last_channel = ?, updated_at = ? WHERE session_key = ?", [
        JSON.stringify(channel),
        now(),
        key,
      ]);
    },
    async addUsage(key, u) {
      await writeVia(queue, db, {
        sql: `UPDATE sessions SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
           cost_usd = cost_usd + ?, updated_at = ? WHERE session_key = ?`,
        args: [u.inputTokens, u.outputTokens, u.costUsd, now(), key],
      });
    },
    async delete(key) {
      const r = await db.run("DELETE FROM sessions WHERE session_key = ?", [key]);
      return r.rowsAffected > 0;
    },
  };
}

function toSession(r: Record<string, unknown>): Session {
  return {
    sessionKey: String(r.session_key),
    sessionId: String(r.session_id),
    agentId: String(r.agent_id),
    model: r.model == null ? undefined : String(r.model),
    settings: JSON.parse(String(r.settings ?? "{}")),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: Number(r.cost_usd),
    lastChannel: r.last_channel == null ? undefined : JSON.parse(String(r.last_channel)),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** One run's usage, kept for daily budgets and reports. */
export interface UsageRow {
  runId: string;
  agentId: string;
  sessionKey?: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  model?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface UsageRepo {
  record(row: UsageRow): Promise<void>;
  /** Sum over one agent and UTC day. */
  totalForDay(
    agentId: string,
    day: string,
  ): Promise<{ inputTokens: number; outputTokens: number; costUsd: number }>;
  forRun(runId: string): Promise<UsageRow[]>;
}

/** The UTC day (`YYYY-MM-DD`) of a timestamp. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Usage rows; with `queue`, `record` writes through it (write_behind.ts) and reads flush it first. */
export function createUsageRepo(base: Db, now = Date.now, queue?: WriteBehind): UsageRepo {
  const db = afterQueue(base, queue);
  return {
    async record(u) {
      await writeVia(queue, db, {
        sql:
          `INSERT INTO usage (run_id, agent_id, session_key, day, model, input_tokens, output_tokens, cost_usd, ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          u.runId,
          u.agentId,
          u.sessionKey ?? null,
          u.day,
          u.model ?? null,
          u.inputTokens,
          u.outputTokens,
          u.costUsd,
          now(),
        ],
      });
    },
    async totalForDay(agentId, day) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT COALESCE(SUM(input_tokens), 0) AS i, COALESCE(SUM(output_tokens), 0) AS o,
           COALESCE(SUM(cost_usd), 0) AS c FROM usage WHERE agent_id = ? AND day = ?`,
        [agentId, day],
      );
      const r = rows[0] ?? {};
      return { inputTokens: Number(r.i ?? 0), outputTokens: Number(r.o ?? 0), costUsd: Number(r.c ?? 0) };
    },
    async forRun(runId) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM usage WHERE run_id = ? ORDER BY id",
        [runId],
      );
      return rows.map((r) => ({
        runId: String(r.run_id),
        agentId: String(r.agent_id),
        sessionKey: r.session_key == null ? undefined : String(r.session_key),
        day: String(r.day),
        model: r.model == null ? undefined : String(r.model),
        inputTokens: Number(r.input_tokens),
        outputTokens: Number(r.output_tokens),
        costUsd: Number(r.cost_usd),
      }));
    },
  };
}
