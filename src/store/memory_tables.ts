import type { Migration } from "./migrate.ts";

/**
 * Memory index tables (versions 500–599), see src/memory/. Created by a migration, but nothing reads or
 * writes them until memory is used. Vectors live in one table per agent and vector size, created on first
 * use (`F32_BLOB(dim)` needs the size): `memory_vec_<hex(agentId)>_<dim>`.
 */
export const memoryMigrations: Migration[] = [
  {
    version: 500,
    name: "memory_index",
    sql: [
      `CREATE TABLE memory_files (
        agent_id TEXT NOT NULL,
        path TEXT NOT NULL,
        mtime INTEGER NOT NULL,
        size INTEGER NOT NULL,
        hash TEXT NOT NULL,
        indexed_at INTEGER NOT NULL,
        PRIMARY KEY (agent_id, path)
      )`,
      `CREATE TABLE memory_chunks (
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL,
        path TEXT NOT NULL,
        start_line INTEGER NOT NULL,
        end_line INTEGER NOT NULL,
        hash TEXT NOT NULL,
        text TEXT NOT NULL,
        day INTEGER
      )`,
      "CREATE INDEX memory_chunks_path ON memory_chunks (agent_id, path)",
      "CREATE INDEX memory_chunks_hash ON memory_chunks (agent_id, hash)",
      "CREATE VIRTUAL TABLE memory_fts USING fts5(text, tokenize = 'porter unicode61')",
      `CREATE TABLE memory_embedding_cache (
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (model, hash)
      )`,
    ],
  },
];
