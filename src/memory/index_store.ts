/**
 * The memory index in libSQL: chunk rows, an FTS5 table for keywords (bm25) and, per agent and vector
 * space, a table with a native vector column (`F32_BLOB(dim)`) and a DiskANN index (`libsql_vector_idx`)
 * searched with `vector_top_k`. No extension is loaded: both are built into libSQL.
 */
import type { InStatement } from "@libsql/client";
import type { Db } from "../store/db.ts";
import type { Chunk } from "./chunker.ts";

/**
 * DiskANN settings: fewer neighbours (stored as float8) and a shorter insert search than libSQL's defaults
 * make inserts several times faster; scripts/bench_memory.ts measured recall@10 ≈ 0.9 against an exact scan.
 */
const VECTOR_INDEX_OPTIONS = [
  "metric=cosine",
  "max_neighbors=12",
  "insert_l=24",
  "search_l=64",
  "compress_neighbors=float8",
];

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

export interface ScoredId {
  id: number;
  score: number;
}

/** Hex of a string (agent ids may hold `-`, which SQL identifiers may not). */
function hex(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Table holding the vectors of `agentId` in the vector space `space`. */
export function vectorTableName(agentId: string, space: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < space.length; i++) h = Math.imul(h ^ space.charCodeAt(i), 0x01000193) >>> 0;
  return `memory_vec_${hex(agentId)}_${h.toString(16)}`;
}

function vectorBlob(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export interface MemoryIndexStore {
  files(agentId: string): Promise<Map<string, FileRow>>;
  /**
   * Replaces the chunks of one file: chunks whose hash is still there are kept (line ranges updated),
   * the others deleted, new ones inserted with their FTS row. One transaction. Returns counts.
   */
  writeFile(
    agentId: string,
    file: FileRow,
    chunks: readonly Chunk[],
    day: number | null,
    now: number,
  ): Promise<{ added: number; removed: number }>;
  /** Records a new mtime for a file whose content did not change. */
  touchFile(agentId: string, file: FileRow, now: number): Promise<void>;
  removeFile(agentId: string, path: string): Promise<number>;
  /** Creates the vector table of an agent and space; drops tables of the agent's other spaces. */
  ensureVectors(agentId: string, space: string, dims: number): Promise<string>;
  /** Chunks with no vector in `table` yet (at most `limit`). */
  missingVectors(
    agentId: string,
    table: string,
    limit: number,
  ): Promise<{ id: number; hash: string; text: string }[]>;
  writeVectors(table: string, rows: { id: number; vector: Float32Array }[]): Promise<void>;
  cachedEmbeddings(space: string, hashes: string[]): Promise<Map<string, Float32Array>>;
  cacheEmbeddings(space: string, rows: { hash: string; vector: Float32Array }[], now: number): Promise<void>;
  /** bm25 matches of an FTS5 query, best first; score = -bm25 (higher is better). */
  keyword(agentId: string, match: string, limit: number): Promise<ScoredId[]>;
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

  return {
    async files(agentId) {
      const rows = await db.query<FileRow>(
        "SELECT path, mtime, size, hash FROM memory_files WHERE agent_id = ?",
        [agentId],
      );
      return new Map(rows.map((r) => [r.path, r]));
    },
    async writeFile(agentId, file, chunks, day, now) {
      const old = await db.query<{ id: number; hash: string }>(
        "SELECT id, hash FROM memory_chunks WHERE agent_id = ? AND path = ?",
        [agentId, file.path],
      );
      const oldByHash = new Map<string, number[]>();
      for (const r of old) oldByHash.set(r.hash, [...(oldByHash.get(r.hash) ?? []), r.id]);
      const stmts: InStatement[] = [];
      let added = 0;
      for (const c of chunks) {
        const keep = oldByHash.get(c.hash)?.shift();
        if (keep !== undefined) {
          stmts.push({
            sql: "UPDATE memory_chunks SET start_line = ?, end_line = ? WHERE id = ?",
            args: [c.startLine, c.endLine, keep],
          });
          continue;
        }
        added++;
        stmts.push({
          sql: "INSERT INTO memory_chunks (agent_id, path, start_line, end_line, hash, text, day) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
          args: [agentId, file.path, c.startLine, c.endLine, c.hash, c.text, day],
        });
      }
      const gone = [...oldByHash.values()].flat();
      const tables = gone.length ? await vectorTables(agentId) : [];
      for (const id of gone) {
        for (const t of tables) stmts.push({ sql: `DELETE FROM ${t} WHERE chunk_id = ?`, args: [id] });
        stmts.push({ sql: "DELETE FROM memory_fts WHERE rowid = ?", args: [id] });
        stmts.push({ sql: "DELETE FROM memory_chunks WHERE id = ?", args: [id] });
      }
      if (added) {
        stmts.push({
          sql: "INSERT INTO memory_fts (rowid, text) SELECT c.id, c.text FROM memory_chunks c " +
            "WHERE c.agent_id = ? AND c.path = ? AND NOT EXISTS (SELECT 1 FROM memory_fts f WHERE f.rowid = c.id)",
          args: [agentId, file.path],
        });
      }
      stmts.push({
        sql:
          "INSERT INTO memory_files (agent_id, path, mtime, size, hash, indexed_at) VALUES (?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (agent_id, path) DO UPDATE SET mtime = excluded.mtime, size = excluded.size, " +
          "hash = excluded.hash, indexed_at = excluded.indexed_at",
        args: [agentId, file.path, file.mtime, file.size, file.hash, now],
      });
      await db.batch(stmts);
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
      const opts = VECTOR_INDEX_OPTIONS.map((o) => `'${o}'`).join(", ");
      await db.batch([
        ...stale.map((t) => `DROP TABLE IF EXISTS ${t}`),
        `CREATE TABLE IF NOT EXISTS ${table} (chunk_id INTEGER PRIMARY KEY, embedding F32_BLOB(${dims}))`,
        `CREATE INDEX IF NOT EXISTS ${table}_idx ON ${table} (libsql_vector_idx(embedding, ${opts}))`,
      ]);
      return table;
    },
    async missingVectors(agentId, table, limit) {
      return await db.query(
        `SELECT c.id AS id, c.hash AS hash, c.text AS text FROM memory_chunks c
         WHERE c.agent_id = ? AND NOT EXISTS (SELECT 1 FROM ${table} v WHERE v.chunk_id = c.id)
         ORDER BY c.id LIMIT ?`,
        [agentId, limit],
      );
    },
    async writeVectors(table, rows) {
      if (!rows.length) return;
      await db.batch(rows.map((r) => ({
        sql: `INSERT OR REPLACE INTO ${table} (chunk_id, embedding) VALUES (?, ?)`,
        args: [r.id, vectorBlob(r.vector)],
      })));
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
      await db.batch(rows.map((r) => ({
        sql:
          "INSERT OR REPLACE INTO memory_embedding_cache (model, hash, vector, created_at) VALUES (?, ?, ?, ?)",
        args: [space, r.hash, vectorBlob(r.vector), now],
      })));
    },
    async keyword(agentId, match, limit) {
      const rows = await db.query<{ id: number; rank: number }>(
        `SELECT c.id AS id, bm25(memory_fts) AS rank FROM memory_fts JOIN memory_chunks c ON c.id = memory_fts.rowid
         WHERE memory_fts MATCH ? AND c.agent_id = ? ORDER BY rank LIMIT ?`,
        [match, agentId, limit],
      );
      return rows.map((r) => ({ id: r.id, score: -r.rank }));
    },
    async nearest(table, vector, limit) {
      const blob = vectorBlob(vector);
      const rows = await db.query<{ id: number; distance: number }>(
        `SELECT t.chunk_id AS id, vector_distance_cos(t.embedding, ?) AS distance
         FROM vector_top_k('${table}_idx', ?, ?) AS k JOIN ${table} t ON t.rowid = k.id`,
        [blob, blob, limit],
      );
      return rows.map((r) => ({ id: r.id, score: 1 - r.distance }));
    },
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
      const stmts: InStatement[] = (await vectorTables(agentId)).map((t) => `DELETE FROM ${t}`);
      stmts.push(...deleteChunks("agent_id = ?", [agentId]));
      stmts.push({ sql: "DELETE FROM memory_files WHERE agent_id = ?", args: [agentId] });
      await db.batch(stmts);
    },
  };
}
