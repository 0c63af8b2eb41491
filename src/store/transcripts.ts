import type { Db } from "./db.ts";
import type { MediaRef } from "../core/types.ts";
import { afterQueue, type WriteBehind } from "./write_behind.ts";
import { StoreError } from "../core/errors.ts";

/** What each kind of transcript entry holds. */
export interface TranscriptContent {
  user: { text: string; source?: Record<string, unknown>; steer?: boolean; media?: MediaRef[] };
  assistant: { text: string; model?: string; stop?: string };
  tool_call: { id: string; name: string; arguments: Record<string, unknown> };
  tool_result: {
    toolCallId: string;
    name: string;
    content: string;
    isError?: boolean;
    synthetic?: boolean;
    /** Images the tool returned, by file (never inline): reloaded for a vision model during the run. */
    media?: MediaRef[];
  };
  /** Entries with `seq < firstKeptSeq` (and older compactions) are replaced by `summary`. */
  compaction: { summary: string; firstKeptSeq: number; tokensBefore: number; tokensAfter: number };
  /** Shown to people (history, UI), never sent to the model. */
  notice: { text: string; code?: string };
}

export type EntryKind = keyof TranscriptContent;
export const ENTRY_KINDS: readonly EntryKind[] = [
  "user",
  "assistant",
  "tool_call",
  "tool_result",
  "compaction",
  "notice",
];

/** An entry to append. `tokens` is the caller's estimate of its size in the model's context. */
export type NewTranscriptEntry = {
  [K in EntryKind]: { kind: K; content: TranscriptContent[K]; runId?: string; tokens: number };
}[EntryKind];

/**
 * A stored entry: append-only, numbered by `seq` (1, 2, …) within its session transcript. `id` is the row id,
 * 0 for an entry a shard worker has queued and not written yet (see createTranscriptRepo).
 */
export type TranscriptEntry = NewTranscriptEntry & { id: number; sessionId: string; seq: number; ts: number };

/** Append-only transcripts, one per sessionId. */
export interface TranscriptRepo {
  /** Appends entries in order and returns them with their seq. */
  append(sessionId: string, entries: NewTranscriptEntry[]): Promise<TranscriptEntry[]>;
  /**
   * Entries in seq order. `fromSeq` keeps seq ≥ fromSeq; `limit` keeps the newest `limit` of those;
   * `kinds` filters by kind.
   */
  list(
    sessionId: string,
    opts?: { fromSeq?: number; limit?: number; kinds?: EntryKind[] },
  ): Promise<TranscriptEntry[]>;
  /** The newest entry of a kind, when any. */
  last(sessionId: string, kind: EntryKind): Promise<TranscriptEntry | undefined>;
  forRun(runId: string): Promise<TranscriptEntry[]>;
}

/** An entry with the next seq of its session (the seq computed and the row inserted in one statement). */
const INSERT_SELECT_NEXT =
  `INSERT INTO transcript_entries (session_id, seq, kind, run_id, content, tokens, ts)
  SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM transcript_entries WHERE session_id = ?`;

/** Appends an entry with the next seq of its session, returning its id and seq. */
const INSERT_NEXT = `${INSERT_SELECT_NEXT} RETURNING id, seq`;

/**
 * INSERT_NEXT, only while the session exists: the row of a session a shard worker opened is queued, not
 * written (sessions.open), so this is where a session id that lost a race (another writer created or reset
 * the key in between) is caught, instead of a transcript written under an id no session has.
 */
const INSERT_IF_SESSION =
  `${INSERT_SELECT_NEXT} HAVING EXISTS (SELECT 1 FROM sessions WHERE session_id = ?) RETURNING id, seq`;

/** Sessions whose last appending run a repository with a queue remembers. */
const RUN_TAILS = 256;

/**
 * Transcripts over `base`. With `queue` (a shard worker's WriteBehind), a run's first append is written at
 * once (the user's message, durable before the model is called, numbered by the database), and its later
 * appends (the model's answer, tool calls and results) are numbered from there and queued, so they commit
 * with the run's bookkeeping at the end of the job or within the queue's 10 ms. A run is the only writer of
 * its session's transcript while it runs, and the queue is flushed before its result reaches anyone, so the
 * numbers hold; the table's UNIQUE (session_id, seq) would refuse a row if they ever did not. Reads flush the
 * queue first.
 */
export function createTranscriptRepo(base: Db, now = Date.now, queue?: WriteBehind): TranscriptRepo {
  const db = afterQueue(base, queue);
  /** Per session: the run that appended last and the seq its next entry gets. */
  const tails = new Map<string, { runId: string; next: number }>();
  const remember = (sessionId: string, runId: string, next: number) => {
    tails.delete(sessionId);
    tails.set(sessionId, { runId, next });
    if (tails.size > RUN_TAILS) tails.delete(tails.keys().next().value!);
  };
  const queued = async (
    q: WriteBehind,
    sessionId: string,
    tail: { next: number },
    entries: NewTranscriptEntry[],
  ) => {
    const out: TranscriptEntry[] = [];
    for (const e of entries) {
      const ts = now();
      const seq = tail.next++;
      await q.add({
        sql: `INSERT INTO transcript_entries (session_id, seq, kind, run_id, content, tokens, ts)
              VALUES (?, ?, ?, ?, ?, ?, ?)`,
        args: [sessionId, seq, e.kind, e.runId ?? null, JSON.stringify(e.content), Math.round(e.tokens), ts],
      });
      out.push({ ...e, id: 0, seq, sessionId, ts } as TranscriptEntry);
    }
    return out;
  };
  return {
    async append(sessionId, entries) {
      const runId = entries[0]?.runId;
      const sameRun = runId !== undefined && entries.every((e) => e.runId === runId);
      const tail = queue ? tails.get(sessionId) : undefined;
      if (queue && tail && sameRun && tail.runId === runId) {
        return await queued(queue, sessionId, tail, entries);
      }
      // Written at once. Without a queue, one statement per entry. With one, each entry is committed
      // together with everything queued before it (flushWith): the run's session row (sessions.open queues
      // it) and other runs' bookkeeping ride along instead of paying transactions of their own.
      const out: TranscriptEntry[] = [];
      for (const e of entries) {
        const ts = now();
        const args = [
          sessionId,
          e.kind,
          e.runId ?? null,
          JSON.stringify(e.content),
          Math.round(e.tokens),
          ts,
        ];
        // One statement: the seq is computed and the row inserted atomically.
        const rows = queue
          ? await queue.flushWith({ sql: INSERT_IF_SESSION, args: [...args, sessionId, sessionId] })
          : await base.query<Record<string, unknown>>(INSERT_NEXT, [...args, sessionId]);
        const r = rows[0];
        if (!r) {
          throw new StoreError(
            `Transcript append refused: session ${sessionId} no longer exists (it was reset or created ` +
              "by another writer at the same moment)",
          );
        }
        out.push({ ...e, id: Number(r.id), seq: Number(r.seq), sessionId, ts } as TranscriptEntry);
      }
      if (queue && sameRun && out.length) remember(sessionId, runId!, out.at(-1)!.seq + 1);
      else tails.delete(sessionId);
      return out;
    },
    async list(sessionId, opts = {}) {
      const where = ["session_id = ?"];
      const args: (string | number)[] = [sessionId];
      if (opts.fromSeq !== undefined) {
        where.push("seq >= ?");
        args.push(opts.fromSeq);
      }
      if (opts.kinds?.length) {
        where.push(`kind IN (${opts.kinds.map(() => "?").join(", ")})`);
        args.push(...opts.kinds);
      }
      let sql = `SELECT * FROM transcript_entries WHERE ${where.join(" AND ")} ORDER BY seq`;
      if (opts.limit !== undefined) {
        sql = `SELECT * FROM (SELECT * FROM transcript_entries WHERE ${
          where.join(" AND ")
        } ORDER BY seq DESC LIMIT ?) ORDER BY seq`;
        args.push(Math.max(0, Math.floor(opts.limit)));
      }
      return (await db.query<Record<string, unknown>>(sql, args)).map(toEntry);
    },
    async last(sessionId, kind) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM transcript_entries WHERE session_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
        [sessionId, kind],
      );
      return rows[0] ? toEntry(rows[0]) : undefined;
    },
    async forRun(runId) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM transcript_entries WHERE run_id = ? ORDER BY session_id, seq",
        [runId],
      );
      return rows.map(toEntry);
    },
  };
}

function toEntry(r: Record<string, unknown>): TranscriptEntry {
  return {
    id: Number(r.id),
    sessionId: String(r.session_id),
    seq: Number(r.seq),
    kind: String(r.kind) as EntryKind,
    runId: r.run_id == null ? undefined : String(r.run_id),
    content: JSON.parse(String(r.content)),
    tokens: Number(r.tokens),
    ts: Number(r.ts),
  } as TranscriptEntry;
}
