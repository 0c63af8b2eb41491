import type { Db } from "./db.ts";

/** An earlier transcript of a session key: what `/new` or `/reset` left behind. */
export interface ArchivedTranscript {
  sessionId: string;
  sessionKey: string;
  agentId: string;
  /** When the key moved on to a new transcript. */
  endedAt: number;
  /** First and last entry (undefined when the transcript was empty). */
  firstTs?: number;
  lastTs?: number;
  /** User and assistant messages. */
  messages: number;
  /** All entries (tool calls and results, notices, compactions included). */
  entries: number;
  /** Principals of the runs that wrote it, as `describePrincipal` strings ("unknown" when not recorded). */
  principals: string[];
}

/**
 * Earlier transcripts by session key. `sessions.reset` writes the row (store/sessions.ts); the entries
 * themselves stay in `transcript_entries` under their old sessionId.
 */
export interface SessionArchiveRepo {
  /** Newest first. */
  list(sessionKey: string): Promise<ArchivedTranscript[]>;
  get(sessionId: string): Promise<ArchivedTranscript | undefined>;
  /** Forgets every earlier transcript of a key, entries included; returns how many entries went. */
  deleteAll(sessionKey: string): Promise<number>;
}

const SELECT = `SELECT st.session_id, st.session_key, st.agent_id, st.ended_at,
    (SELECT MIN(ts) FROM transcript_entries WHERE session_id = st.session_id) AS first_ts,
    (SELECT MAX(ts) FROM transcript_entries WHERE session_id = st.session_id) AS last_ts,
    (SELECT COUNT(*) FROM transcript_entries WHERE session_id = st.session_id
       AND kind IN ('user', 'assistant')) AS messages,
    (SELECT COUNT(*) FROM transcript_entries WHERE session_id = st.session_id) AS entries,
    (SELECT json_group_array(DISTINCT COALESCE(a.principal, 'unknown')) FROM audit a
       WHERE a.kind = 'agent.run' AND a.run_id IN
         (SELECT DISTINCT run_id FROM transcript_entries WHERE session_id = st.session_id
            AND run_id IS NOT NULL)) AS principals
  FROM session_transcripts st`;

function toArchived(r: Record<string, unknown>): ArchivedTranscript {
  return {
    sessionId: String(r.session_id),
    sessionKey: String(r.session_key),
    agentId: String(r.agent_id),
    endedAt: Number(r.ended_at),
    ...(r.first_ts == null ? {} : { firstTs: Number(r.first_ts), lastTs: Number(r.last_ts) }),
    messages: Number(r.messages ?? 0),
    entries: Number(r.entries ?? 0),
    principals: JSON.parse(String(r.principals ?? "[]")) as string[],
  };
}

export function createSessionArchiveRepo(db: Db): SessionArchiveRepo {
  return {
    async list(sessionKey) {
      const rows = await db.query<Record<string, unknown>>(
        `${SELECT} WHERE st.session_key = ? ORDER BY st.ended_at DESC, st.session_id`,
        [sessionKey],
      );
      return rows.map(toArchived);
    },
    async get(sessionId) {
      const rows = await db.query<Record<string, unknown>>(`${SELECT} WHERE st.session_id = ?`, [sessionId]);
      return rows[0] ? toArchived(rows[0]) : undefined;
    },
    async deleteAll(sessionKey) {
      const counted = await db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM transcript_entries WHERE session_id IN
           (SELECT session_id FROM session_transcripts WHERE session_key = ?)`,
        [sessionKey],
      );
      await db.batch([
        {
          sql: `DELETE FROM transcript_entries WHERE session_id IN
                  (SELECT session_id FROM session_transcripts WHERE session_key = ?)`,
          args: [sessionKey],
        },
        { sql: "DELETE FROM session_transcripts WHERE session_key = ?", args: [sessionKey] },
      ]);
      return Number(counted[0]?.n ?? 0);
    },
  };
}
