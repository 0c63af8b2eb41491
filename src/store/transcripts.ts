import type { Db } from "./db.ts";
import type { MediaRef } from "../core/types.ts";

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

/** A stored entry: append-only, numbered by `seq` (1, 2, …) within its session transcript. */
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

export function createTranscriptRepo(db: Db, now = Date.now): TranscriptRepo {
  return {
    async append(sessionId, entries) {
      const out: TranscriptEntry[] = [];
      for (const e of entries) {
        const ts = now();
        // One statement: the seq is computed and the row inserted atomically.
        const rows = await db.query<Record<string, unknown>>(
          `INSERT INTO transcript_entries (session_id, seq, kind, run_id, content, tokens, ts)
           SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM transcript_entries WHERE session_id = ?
           RETURNING id, seq`,
          [
            sessionId,
            e.kind,
            e.runId ?? null,
            JSON.stringify(e.content),
            Math.round(e.tokens),
            ts,
            sessionId,
          ],
        );
        const r = rows[0]!;
        out.push({ ...e, id: Number(r.id), seq: Number(r.seq), sessionId, ts } as TranscriptEntry);
      }
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
