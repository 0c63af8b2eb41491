import { type Client, createClient, type InArgs, type InStatement, type Row } from "@libsql/client";
import { StoreError } from "../core/errors.ts";

/** The small SQL surface every repository depends on. Implemented by libSQL. */
export interface Db {
  /** Runs one statement and returns its rows. */
  query<T = Row>(sql: string, args?: InArgs): Promise<T[]>;
  /** Runs one statement and returns rows affected and the last insert rowid. */
  run(sql: string, args?: InArgs): Promise<{ rowsAffected: number; lastInsertRowid?: bigint }>;
  /** Runs statements atomically, in order. */
  batch(statements: InStatement[]): Promise<void>;
  close(): void;
  readonly closed: boolean;
  /** The URL it was opened with (file:…, libsql://…, :memory:). */
  readonly url: string;
}

export interface OpenDbOptions {
  url: string;
  authToken?: string;
}

/** Opens a libSQL database. Local files get WAL mode and a busy timeout. */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  let client: Client;
  try {
    // One connection per client: libSQL runs local statements synchronously on the calling thread, so
    // more connections gain nothing, and the PRAGMAs below must hold for every statement.
    client = createClient({
      url: options.url,
      authToken: options.authToken,
      intMode: "number",
      concurrency: 1,
    });
  } catch (err) {
    throw new StoreError(`Cannot open store ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  const local = options.url.startsWith("file:") || options.url === ":memory:";
  try {
    if (local) {
      // Short: a busy wait blocks the thread (and a shard worker's heartbeats); retryBusy waits longer.
      await client.execute("PRAGMA busy_timeout = 200");
      if (options.url !== ":memory:") await client.execute("PRAGMA journal_mode = WAL");
      await client.execute("PRAGMA synchronous = NORMAL");
      await client.execute("PRAGMA foreign_keys = ON");
    }
  } catch (err) {
    client.close();
    throw new StoreError(`Cannot open store ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  return wrap(client, options.url);
}

/**
 * True for "database is locked": several connections (the main thread and every shard worker) share one
 * WAL file, and SQLite answers SQLITE_BUSY at once (without waiting) when a statement's read snapshot is
 * stale by the time it wants to write. Such statements are simply tried again.
 */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "SQLITE_BUSY" || /SQLITE_BUSY|database is locked/i.test(e?.message ?? "");
}

/** Runs `fn`, retrying busy errors with a short jittered backoff for up to ~10 s. */
export async function retryBusy<T>(fn: () => Promise<T>, maxMs = 10_000): Promise<T> {
  const started = Date.now();
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() - started > maxMs) throw err;
      const delay = Math.min(200, 2 ** attempt) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function wrap(client: Client, url: string): Db {
  const fail = (sql: string, err: unknown): never => {
    throw new StoreError(
      `Store query failed (${sql.trim().split(/\s+/).slice(0, 3).join(" ")}…): ${(err as Error).message}`,
      { cause: err },
    );
  };
  return {
    url,
    get closed() {
      return client.closed;
    },
    async query<T>(sql: string, args?: InArgs) {
      try {
        const rs = await retryBusy(() => client.execute({ sql, args: args ?? [] }));
        return rs.rows as unknown as T[];
      } catch (err) {
        return fail(sql, err);
      }
    },
    async run(sql, args) {
      try {
        const rs = await retryBusy(() => client.execute({ sql, args: args ?? [] }));
        return { rowsAffected: rs.rowsAffected, lastInsertRowid: rs.lastInsertRowid };
      } catch (err) {
        return fail(sql, err);
      }
    },
    async batch(statements) {
      try {
        await retryBusy(() => client.batch(statements, "write"));
      } catch (err) {
        fail(typeof statements[0] === "string" ? statements[0] : statements[0]?.sql ?? "batch", err);
      }
    },
    close() {
      if (!client.closed) client.close();
    },
  };
}

/**
 * `SELECT * FROM <table> [WHERE col = ? AND …] ORDER BY id LIMIT ?` with a condition for each filter
 * that is set. Column names come from code, never from input.
 */
export function listQuery(
  table: string,
  filters: Record<string, string | number | readonly (string | number)[] | undefined>,
  limit: number,
): { sql: string; args: (string | number)[] } {
  type Value = string | number | readonly (string | number)[];
  const set = Object.entries(filters).filter((e): e is [string, Value] => e[1] !== undefined);
  const cond = ([column, v]: [string, Value]) =>
    typeof v === "object" ? `${column} IN (${v.map(() => "?").join(", ") || "NULL"})` : `${column} = ?`;
  const where = set.length ? ` WHERE ${set.map(cond).join(" AND ")}` : "";
  return {
    sql: `SELECT * FROM ${table}${where} ORDER BY id LIMIT ?`,
    args: [...set.flatMap((e) => (typeof e[1] === "object" ? [...e[1]] : [e[1]])), limit],
  };
}
