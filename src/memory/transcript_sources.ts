/**
 * Past session transcripts as a memory source (`memory.includeTranscripts`, off by default). Only the
 * owner's own conversations: a transcript is a source when every finished run in it was the owner's (or
 * the owner's own schedule: cron, heartbeat, system turns) and at least one was the owner's; a transcript
 * where a paired user, a group member, a hook or an API client ever ran a turn is never indexed, and even
 * in a qualifying transcript only entries of finished runs with such a principal are read. Runs are known
 * from their `agent.run` audit rows (principal, agent, session id); transcripts of other agents are never
 * listed. Path of a source: `transcript:<sessionKey>:<sessionId>`; its "lines" are transcript entry numbers.
 */
import type { Db } from "../store/db.ts";
import { type Chunk, type ChunkOptions, hashText } from "./chunker.ts";

export interface TranscriptSource {
  path: string;
  sessionId: string;
  /** Highest entry number read and how many entries: the source changed when either did. */
  lastSeq: number;
  entries: number;
}

/** Principals whose runs may be remembered: the owner and the owner's own automation. */
const REMEMBERED = new Set(["owner", "cron", "system"]);

const kindOf = (principal: string | null) => (principal ?? "unknown").split(":")[0]!;

/** Rows of the user and assistant entries of finished, remembered runs of a transcript. */
const ENTRIES_SQL = `SELECT e.seq AS seq, e.kind AS kind, e.content AS content, a.principal AS principal
  FROM transcript_entries e JOIN audit a ON a.run_id = e.run_id AND a.kind = 'agent.run'
  WHERE e.session_id = ? AND e.kind IN ('user', 'assistant') ORDER BY e.seq`;

/** The transcripts of `agentId` that memory may index (see the file comment). */
export async function listTranscriptSources(db: Db, agentId: string): Promise<TranscriptSource[]> {
  const runs = await db.query<
    { sessionKey: string | null; sessionId: string | null; principal: string | null }
  >(
    `SELECT session_key AS sessionKey, json_extract(detail, '$.sessionId') AS sessionId, principal
     FROM audit WHERE kind = 'agent.run' AND json_extract(detail, '$.agentId') = ?`,
    [agentId],
  );
  const transcripts = new Map<
    string,
    { sessionKey: string; sessionId: string; owner: boolean; other: boolean }
  >();
  for (const r of runs) {
    if (!r.sessionKey?.startsWith(`agent:${agentId}:`) || !r.sessionId) continue;
    const key = `${r.sessionKey}\n${r.sessionId}`;
    const t = transcripts.get(key) ??
      { sessionKey: r.sessionKey, sessionId: r.sessionId, owner: false, other: false };
    const kind = kindOf(r.principal);
    if (kind === "owner") t.owner = true;
    if (!REMEMBERED.has(kind)) t.other = true;
    transcripts.set(key, t);
  }
  const out: TranscriptSource[] = [];
  for (const t of transcripts.values()) {
    if (!t.owner || t.other) continue;
    const [s] = await db.query<{ lastSeq: number | null; entries: number }>(
      `SELECT max(seq) AS lastSeq, count(*) AS entries FROM (${ENTRIES_SQL})`,
      [t.sessionId],
    );
    if (!s?.entries) continue;
    out.push({
      path: `transcript:${t.sessionKey}:${t.sessionId}`,
      sessionId: t.sessionId,
      lastSeq: s.lastSeq ?? 0,
      entries: s.entries,
    });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The chunks of a transcript: consecutive messages grouped up to about `chunkTokens`, a longer message cut
 * by size; each chunk's line range is its entry numbers. Groups start at fixed places from the beginning,
 * so when a transcript grows only its last chunk changes.
 */
export async function transcriptChunks(db: Db, src: TranscriptSource, opts: ChunkOptions): Promise<Chunk[]> {
  const rows = await db.query<{ seq: number; kind: string; content: string; principal: string | null }>(
    ENTRIES_SQL,
    [src.sessionId],
  );
  const maxChars = Math.max(200, opts.chunkTokens * 4);
  const out: Chunk[] = [];
  let cur: { seq: number; text: string }[] = [];
  let size = 0;
  const flush = () => {
    if (!cur.length) return;
    const text = cur.map((m) => m.text).join("\n\n");
    out.push({ startLine: cur[0]!.seq, endLine: cur[cur.length - 1]!.seq, text, hash: hashText(text) });
    cur = [];
    size = 0;
  };
  for (const r of rows) {
    if (!REMEMBERED.has(kindOf(r.principal))) continue;
    let body: string;
    try {
      body = String((JSON.parse(r.content) as { text?: unknown }).text ?? "").trim();
    } catch {
      continue;
    }
    if (!body) continue;
    const label = r.kind === "user" ? "User" : "Assistant";
    for (let i = 0; i < body.length; i += maxChars) {
      const text = `${label}: ${body.slice(i, i + maxChars)}`;
      if (size + text.length > maxChars && size > 0) flush();
      cur.push({ seq: r.seq, text });
      size += text.length + 2;
    }
  }
  flush();
  return out;
}
