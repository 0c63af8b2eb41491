import type { Db } from "./db.ts";

/** A small key/value table for state such as channel offsets. Values are JSON. */
export interface KvRepo {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export function createKvRepo(db: Db, now = Date.now): KvRepo {
  return {
    async get<T>(key: string) {
      const rows = await db.query<{ value: string }>("SELECT value FROM kv WHERE key = ?", [key]);
      return rows[0] ? JSON.parse(rows[0].value) as T : undefined;
    },
    async set(key, value) {
      await db.run(
        "INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, JSON.stringify(value), now()],
      );
    },
    async delete(key) {
      await db.run("DELETE FROM kv WHERE key = ?", [key]);
    },
  };
}
