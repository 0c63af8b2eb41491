/**
 * The memory index in libSQL: chunk rows, an FTS5 table for keywords (bm25) and, per agent and vector
 * space, a table with a native vector column (`F32_BLOB(dim)`), searched through vector_index.ts (1-bit
 * candidates in memory, exact `vector_distance_cos` re-ranking in libSQL). No extension is loaded.
 */
import type { InStatement, InValue } from "@libsql/client";
import type { Db } from "../store/db.ts";
import type { Chunk } from "./chunker.ts";
import { createVectorIndex, type ScoredId } from "./vector_index.ts";

export type { ScoredId } from "./vector_index.ts";

/** Bumped when the layout of vector tables changes: tables of an older layout are dropped and refilled. */
const VECTOR_LAYOUT = "2";

export interface FileRow {
  path: string;
  mtime: number;
  size: number;
  hash: string;
}

export interface ChunkRow {
  id: number;
  path: string;
  startLine: number;
  endLine: number;
  hash: string;
  text: string;
  day: number | null;
}

/** One file to (re)write: its chunks replace the ones indexed before (`replace`) or are its first. */
export interface FileWrite {
  file: FileRow;
  chunks: readonly Chunk[];
  day: number | null;
  replace: boolean;
}

/** Hex of a string (agent ids may hold `-`, which SQL identifiers may not). */
function hex(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Table holding the vectors of `agentId` in the vector space `space`. */
export function vectorTableName(agentId: string, space: string): string {
  let h = 0x811c9dc5;
  const key = `${VECTOR_LAYOUT}:${space}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `memory_vec_${hex(agentId)}_${h.toString(16)}`;
}

/**
 * Multi-row INSERTs of at most `per` rows each: libSQL prepares every statement of a batch anew, so one
 * statement per row spends more time parsing SQL than writing.
 */
export function insertRows(head: string, placeholders: string, rows: InValue[][], per = 100): InStatement[] {
  const out: InStatement[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    out.push({ sql: `${head} VALUES ${part.map(() => placeholders).join(", ")}`, args: part.flat() });
  }
  return out;
}

function vectorBlob(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export interface MemoryIndexStore {
  files(agentId: string): Promise<Map<string, FileRow>>;
  /**
   * Writes the chunks of files, all in one transaction: of a file indexed before, chunks whose hash is
   * still there are kept (line ranges updated), the others deleted; new ones are inserted with their FTS
   * row. Returns counts.
   */
  writeFiles(
    agentId: string,
    files: readonly FileWrite[],
    now: number,
  ): Promise<{ added: number; removed: number }>;
  /** Records a new mtime for a file whose content did not change. */
  touchFile(agentId: string, file: FileRow, now: number): Promise<void>;
  removeFile(agentId: string, path: string): Promise<number>;
  /** Creates the vector table of an agent and space; drops tables of the agent's other spaces. */
  ensureVectors(agentId: string, space: string, dims: number): Promise<string>;
  /** Chunks with no vector in `table` yet, by id from `afterId` on (at most `limit`). */
  missingVectors(
    agentId: string,
    table: string,
    limit: number,
    afterId?: number,
  ): Promise<{ id: number; hash: string; text: string }[]>;
  writeVectors(table: string, rows: { id: number; vector: Float32Array }[]): Promise<void>;
  cachedEmbeddings(space: string, hashes: string[]): Promise<Map<string, Float32Array>>;
  cacheEmbeddings(space: string, rows: { hash: string; vector: Float32Array }[], now: number): Promise<void>;
  /**
   * bm25 matches of FTS5 queries, best first; score = -bm25 (higher is better), at most `limit`. The
   * queries are tried in order until `enough` chunks are found (see ftsQueries).
   */
  keyword(agentId: string, matches: readonly string[], limit: number, enough?: number): Promise<ScoredId[]>;
  /** Nearest chunks by cosine; score = cosine similarity. */
  nearest(table: string, vector: Float32Array, limit: number): Promise<ScoredId[]>;
  chunks(ids: number[]): Promise<ChunkRow[]>;
  counts(agentId: string, table?: string): Promise<{ files: number; chunks: number; vectors: number }>;
  /** Deletes every row of the agent (chunks, FTS, vectors, files). */
  clear(agentId: string): Promise<void>;
}

/** The memory index over an open store. */
export function createMemoryIndexStore(db: Db): MemoryIndexStore {
  const vectorTables = async (agentId: string) => {
    // Exact match: LIKE's `_` would also match the tables of an agent whose hex id starts the same.
    const own = new RegExp(`^memory_vec_${hex(agentId)}_[0-9a-f]+$`);
    const rows = await db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory_vec_%'",
    );
    return rows.map((r) => r.name).filter((n) => own.test(n));
  };

  const deleteChunks = (where: string, args: (string | number)[]): InStatement[] => [
    { sql: `DELETE FROM memory_fts WHERE rowid IN (SELECT id FROM memory_chunks WHERE ${where})`, args },
    { sql: `DELETE FROM memory_chunks WHERE ${where}`, args },
  ];

  const vectors = createVectorIndex(db);

  /** Statements writing one file; `gone` are the ids of its old chunks to delete. */
  const fileStatements = async (agentId: string, f: FileWrite, now: number) => {
    const old = f.replace
      ? await db.query<{ id: number; hash: string }>(
        "SELECT id, hash FROM memory_chunks WHERE agent_id = ? AND path = ?",
        [agentId, f.file.path],
      )
      : [];
    const oldByHash = new Map<string, number[]>();
    for (const r of old) oldByHash.set(r.hash, [...(oldByHash.get(r.hash) ?? []), r.id]);
    const stmts: InStatement[] = [];
    const fresh: InValue[][] = [];
    for (const c of f.chunks) {
      const keep = oldByHash.get(c.hash)?.shift();
      if (keep !== undefined) {
        stmts.push({
          sql: "UPDATE memory_chunks SET start_line = ?, end_line = ? WHERE id = ?",
          args: [c.startLine, c.endLine, keep],
        });
        continue;
      }
      fresh.push([agentId, f.file.path, c.startLine, c.endLine, c.hash, c.text, f.day]);
    }
    const added = fresh.length;
    stmts.push(...insertRows(
      "INSERT INTO memory_chunks (agent_id, path, start_line, end_line, hash, text, day)",
      "(?, ?, ?, ?, ?, ?, ?)",
      fresh,
    ));
    if (added) {
      // New rows of this file are the ones without an FTS row (ids of kept rows have one).
      stmts.push({
        sql: "INSERT INTO memory_fts (rowid, text) SELECT c.id, c.text FROM memory_chunks c " +
          "WHERE c.agent_id = ? AND c.path = ? AND NOT EXISTS (SELECT 1 FROM memory_fts f WHERE f.rowid = c.id)",
        args: [agentId, f.file.path],
      });
    }
    stmts.push({
      sql:
        "INSERT INTO memory_files (agent_id, path, mtime, size, hash, indexed_at) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (agent_id, path) DO UPDATE SET mtime = excluded.mtime, size = excluded.size, " +
        "hash = excluded.hash, indexed_at = excluded.indexed_at",
      args: [agentId, f.file.path, f.file.mtime, f.file.size, f.file.hash, now],
    });
    return { stmts, gone: [...oldByHash.values()].flat(), added };
  };

  /**
   * Top bm25 matches of one query for the agent. FTS5 ranks alone first (its `ORDER BY rank` is about twice
   * as fast as joining every match to its chunk row); only the few best are joined, to see which are the
   * agent's. Only when other agents' chunks crowd the best out does the slower full join run.
   */
  const keywordMatches = async (agentId: string, match: string, limit: number): Promise<ScoredId[]> => {
    const fetch = limit * 4;
    // The subquery (with its LIMIT) runs first; only its rows are joined to their chunk rows.
    const best = await db.query<{ id: number; rank: number; agent: string }>(
      `SELECT f.id AS id, f.rank AS rank, c.agent_id AS agent FROM (
         SELECT rowid AS id, rank FROM memory_fts WHERE memory_fts MATCH ? ORDER BY rank LIMIT ?
       ) f LEFT JOIN memory_chunks c ON c.id = f.id ORDER BY f.rank`,
      [match, fetch],
    );
    const own = best.filter((r) => r.agent === agentId);
    if (own.length >= limit || best.length < fetch) {
      return own.slice(0, limit).map((r) => ({ id: r.id, score: -r.rank }));
    }
    const rows = await db.query<{ id: number; rank: number }>(
      `SELECT c.id AS id, bm25(memory_fts) AS rank FROM memory_fts JOIN memory_chunks c ON c.id = memory_fts.rowid
       WHERE memory_fts MATCH ? AND c.agent_id = ? ORDER BY rank LIMIT ?`,
      [match, agentId, limit],
    );
    return rows.map((r) => ({ id: r.id, score: -r.rank }));
  };

  return {
    async files(agentId) {
      const rows = await db.query<FileRow>(
        "SELECT path, mtime, size, hash FROM memory_files WHERE agent_id = ?",
        [agentId],
      );
      return new Map(rows.map((r) => [r.path, r]));
    },
    async writeFiles(agentId, files, now) {
      const stmts: InStatement[] = [];
      const gone: number[] = [];
      let added = 0;
      for (const f of files) {
        const r = await fileStatements(agentId, f, now);
        stmts.push(...r.stmts);
        gone.push(...r.gone);
        added += r.added;
      }
      const tables = gone.length ? await vectorTables(agentId) : [];
      for (let i = 0; i < gone.length; i += 500) {
        const ids = JSON.stringify(gone.slice(i, i + 500));
        const where = "IN (SELECT value FROM json_each(?))";
        for (const t of tables) stmts.push({ sql: `DELETE FROM ${t} WHERE chunk_id ${where}`, args: [ids] });
        stmts.push({ sql: `DELETE FROM memory_fts WHERE rowid ${where}`, args: [ids] });
        stmts.push({ sql: `DELETE FROM memory_chunks WHERE id ${where}`, args: [ids] });
      }
      if (stmts.length) await db.batch(stmts);
      return { added, removed: gone.length };
    },
    async touchFile(agentId, file, now) {
      await db.run(
        "UPDATE memory_files SET mtime = ?, size = ?, indexed_at = ? WHERE agent_id = ? AND path = ?",
        [file.mtime, file.size, now, agentId, file.path],
      );
    },
    async removeFile(agentId, path) {
      const ids = await db.query<{ id: number }>(
        "SELECT id FROM memory_chunks WHERE agent_id = ? AND path = ?",
        [agentId, path],
      );
      const stmts: InStatement[] = [];
      for (const t of await vectorTables(agentId)) {
        stmts.push({
          sql:
            `DELETE FROM ${t} WHERE chunk_id IN (SELECT id FROM memory_chunks WHERE agent_id = ? AND path = ?)`,
          args: [agentId, path],
        });
      }
      stmts.push(...deleteChunks("agent_id = ? AND path = ?", [agentId, path]));
      stmts.push({ sql: "DELETE FROM memory_files WHERE agent_id = ? AND path = ?", args: [agentId, path] });
      await db.batch(stmts);
      return ids.length;
    },
    async ensureVectors(agentId, space, dims) {
      const table = vectorTableName(agentId, space);
      const stale = (await vectorTables(agentId)).filter((t) => t !== table);
      for (const t of stale) vectors.forget(t);
      await db.batch([
        ...stale.map((t) => `DROP TABLE IF EXISTS ${t}`),
        // seq grows with every row written, so readers load only what is new (see vector_index.ts).
        `CREATE TABLE IF NOT EXISTS ${table} (chunk_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, ` +
        `embedding F32_BLOB(${dims}))`,
        `CREATE INDEX IF NOT EXISTS ${table}_seq ON ${table} (seq)`,
      ]);
      return table;
    },
    async missingVectors(agentId, table, limit, afterId = 0) {
      return await db.query(
        `SELECT c.id AS id, c.hash AS hash, c.text AS text FROM memory_chunks c
         WHERE c.agent_id = ? AND c.id > ? AND NOT EXISTS (SELECT 1 FROM ${table} v WHERE v.chunk_id = c.id)
         ORDER BY c.id LIMIT ?`,
        [agentId, afterId, limit],
      );
    },
    async writeVectors(table, rows) {
      if (!rows.length) return;
      // seq = the table's highest (read once per statement) + the row's place in its statement.
      const per = 100;
      await db.batch(insertRows(
        `INSERT OR REPLACE INTO ${table} (chunk_id, seq, embedding)`,
        `(?, (SELECT coalesce(max(seq), 0) FROM ${table}) + ?, ?)`,
        rows.map((r, i) => [r.id, (i % per) + 1, vectorBlob(r.vector)]),
        per,
      ));
    },
    async cachedEmbeddings(space, hashes) {
      const out = new Map<string, Float32Array>();
      for (let i = 0; i < hashes.length; i += 500) {
        const part = hashes.slice(i, i + 500);
        const rows = await db.query<{ hash: string; vector: ArrayBuffer }>(
          `SELECT hash, vector FROM memory_embedding_cache WHERE model = ? AND hash IN (${
            part.map(() => "?").join(",")
          })`,
          [space, ...part],
        );
        for (const r of rows) out.set(r.hash, new Float32Array(r.vector.slice(0)));
      }
      return out;
    },
    async cacheEmbeddings(space, rows, now) {
      if (!rows.length) return;
      await db.batch(insertRows(
        "INSERT OR REPLACE INTO memory_embedding_cache (model, hash, vector, created_at)",
        "(?, ?, ?, ?)",
        rows.map((r) => [space, r.hash, vectorBlob(r.vector), now]),
      ));
    },
    async keyword(agentId, matches, limit, enough = limit) {
      const out = new Map<number, number>();
      for (const match of matches) {
        for (const r of await keywordMatches(agentId, match, limit)) {
          if (!out.has(r.id)) out.set(r.id, r.score);
        }
        if (out.size >= enough) break;
      }
      return [...out].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score).slice(0, limit);
    },
    nearest: (table, vector, limit) => vectors.nearest(table, vector, limit),
    async chunks(ids) {
      if (!ids.length) return [];
      return await db.query<ChunkRow>(
        `SELECT id, path, start_line AS startLine, end_line AS endLine, hash, text, day FROM memory_chunks
         WHERE id IN (${ids.map(() => "?").join(",")})`,
        ids,
      );
    },
    async counts(agentId, table) {
      const [f] = await db.query<{ n: number }>("SELECT count(*) AS n FROM memory_files WHERE agent_id = ?", [
        agentId,
      ]);
      const [c] = await db.query<{ n: number }>(
        "SELECT count(*) AS n FROM memory_chunks WHERE agent_id = ?",
        [
          agentId,
        ],
      );
      let vectors = 0;
      if (table) {
        const exists = await db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [
          table,
        ]);
        if (exists.length) {
          const [v] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
          vectors = v?.n ?? 0;
        }
      }
      return { files: f?.n ?? 0, chunks: c?.n ?? 0, vectors };
    },
    async clear(agentId) {
      const tables = await vectorTables(agentId);
      for (const t of tables) vectors.forget(t);
      const stmts: InStatement[] = tables.map((t) => `DELETE FROM ${t}`);
      stmts.push(...deleteChunks("agent_id = ?", [agentId]));
      stmts.push({ sql: "DELETE FROM memory_files WHERE agent_id = ?", args: [agentId] });
      await db.batch(stmts);
    },
  };
}
