import type { InArgs, InStatement, Row } from "@libsql/client";
import { StoreError } from "../core/errors.ts";
import { type Conn, LocalConn } from "./local_conn.ts";
import { createWriteLockMemory, sharedWriteLock } from "./write_lock.ts";

/** The small SQL surface every repository depends on. Implemented by libSQL. */
export interface Db {
  /** Runs one statement and returns its rows. */
  query<T = Row>(sql: string, args?: InArgs): Promise<T[]>;
  /** Runs one statement and returns rows affected and the last insert rowid. */
  run(sql: string, args?: InArgs): Promise<{ rowsAffected: number; lastInsertRowid?: bigint }>;
  /** Runs statements atomically, in order; resolves to the rows the last one returned (RETURNING). */
  batch(statements: InStatement[]): Promise<Row[]>;
  close(): void;
  readonly closed: boolean;
  /** The URL it was opened with (file:…, libsql://…, :memory:). */
  readonly url: string;
  /** A local file's write lock (write_lock.ts), for other threads of this process that open it. */
  readonly writeLock?: SharedArrayBuffer;
}

export interface OpenDbOptions {
  url: string;
  authToken?: string;
  /** How long a statement that meets a locked database is retried (default 10 s). */
  busyRetryMs?: number;
  /** Shared by every thread of this process that writes this store (write_lock.ts). */
  writeLock?: SharedArrayBuffer;
}

/**
 * Opens a libSQL database. Local files get WAL mode and a busy timeout.
 *
 * A local connection on which a statement failed with SQLITE_BUSY is replaced before anything else
 * runs on it: libSQL (0.18, bundled SQLite 3.45) never resets such a statement, so it stays "in
 * progress" and the connection is poisoned. Its next write runs, reports success and is never committed,
 * holding the write lock for good (every other connection then sees "database is locked" until the
 * garbage collector happens to finalize the statement), and its next transaction fails at COMMIT. See
 * tursodatabase/libsql-client-ts#352. Closing the connection drops the failed statement's snapshot, and
 * a fresh connection with the same PRAGMAs continues where it left off.
 */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  const file = options.url.startsWith("file:");
  const first = await connect(options, file || options.url === ":memory:", true);
  // An in-memory database lives only on its connection, and a server does its own locking.
  return wrap(first, options.url, file ? () => connect(options, true, false) : undefined, {
    busyRetryMs: options.busyRetryMs,
    writeLock: file ? options.writeLock ?? createWriteLockMemory() : undefined,
  });
}

/** WAL pages after which a commit checkpoints (see connect). */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

async function connect(options: OpenDbOptions, local: boolean, setup: boolean): Promise<Conn> {
  let conn: Conn;
  try {
    // libSQL runs local statements synchronously on the calling thread, so one connection per store
    // handle is all there is to gain, and the PRAGMAs below must hold for every statement.
    conn = local ? new LocalConn(options.url) : await remoteConn(options);
  } catch (err) {
    throw new StoreError(`Cannot open store ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (local) {
      // Short: a busy wait blocks the thread (and a shard worker's heartbeats); retryBusy waits longer.
      await conn.execute("PRAGMA busy_timeout = 200", []);
      // WAL is a property of the file: set once when the store opens, not on a replacement connection.
      if (setup && options.url !== ":memory:") await conn.execute("PRAGMA journal_mode = WAL", []);
      await conn.execute("PRAGMA synchronous = NORMAL", []);
      await conn.execute("PRAGMA foreign_keys = ON", []);
      // A checkpoint runs inside whichever write commits past the threshold, stalling it (and every writer
      // queued behind it) while it copies the WAL back with an fsync. At SQLite's default of 1,000 pages that
      // was every ~25 turns and set the sequential p95; at 10,000 (a WAL of up to ~40 MB) hot pages such as
      // the inbox's and the sessions' are copied once instead of ten times. bench_http: sequential p95
      // 12.9-15.3 -> 9.1-9.4 ms, 200 sessions at 0 ms 260 -> 295-304 turns/s.
      if (options.url !== ":memory:") {
        await conn.execute(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`, []);
      }
    }
  } catch (err) {
    conn.close();
    throw new StoreError(`Cannot open store ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  return conn;
}

/** A libsql:// (or http) server through @libsql/client, loaded only when such a store is configured. */
async function remoteConn(options: OpenDbOptions): Promise<Conn> {
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url: options.url, authToken: options.authToken, intMode: "number" });
  return {
    get closed() {
      return client.closed;
    },
    async execute(sql, args) {
      const rs = await client.execute({ sql, args });
      return { rows: rs.rows, rowsAffected: rs.rowsAffected, lastInsertRowid: rs.lastInsertRowid };
    },
    async batch(statements) {
      const results = await client.batch(statements, "write");
      return results.at(-1)?.rows ?? [];
    },
    close: () => client.close(),
  };
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

/** Statements that never write (WAL readers do not wait for writers). */
const READ_ONLY = /^\s*SELECT\b/i;

function wrap(
  first: Conn,
  url: string,
  reconnect: (() => Promise<Conn>) | undefined,
  options: { busyRetryMs?: number; writeLock?: SharedArrayBuffer },
): Db {
  let client = first;
  let closed = false;
  // One statement (or batch) at a time: a statement that fails must be answered by a new connection
  // before the next one runs, so none ever runs on a poisoned connection (the pool would hand it on).
  let queue: Promise<unknown> = Promise.resolve();
  const lock = options.writeLock ? sharedWriteLock(options.writeLock) : undefined;
  const attempt = <T>(fn: (c: Conn) => Promise<T>, write: boolean): Promise<T> => {
    const run = queue.then(async () => {
      if (write && lock) await lock.acquire();
      try {
        return await fn(client);
      } catch (err) {
        if (reconnect && !closed && isBusy(err)) {
          const old = client;
          try {
            client = await reconnect();
            old.close();
          } catch { /* keep the old one; the next failure tries again */ }
        }
        throw err;
      } finally {
        if (write && lock) lock.release();
      }
    });
    queue = run.then(() => {}, () => {});
    return run;
  };
  const fail = (sql: string, err: unknown): never => {
    throw new StoreError(
      `Store query failed (${sql.trim().split(/\s+/).slice(0, 3).join(" ")}…): ${(err as Error).message}`,
      { cause: err },
    );
  };
  const retry = <T>(fn: (c: Conn) => Promise<T>, write = true) =>
    retryBusy(() => attempt(fn, write), options.busyRetryMs);
  return {
    url,
    writeLock: options.writeLock,
    get closed() {
      return closed || client.closed;
    },
    async query<T>(sql: string, args?: InArgs) {
      try {
        const rs = await retry((c) => c.execute(sql, args ?? []), !READ_ONLY.test(sql));
        return rs.rows as unknown as T[];
      } catch (err) {
        return fail(sql, err);
      }
    },
    async run(sql, args) {
      try {
        const rs = await retry((c) => c.execute(sql, args ?? []));
        return { rowsAffected: rs.rowsAffected, lastInsertRowid: rs.lastInsertRowid };
      } catch (err) {
        return fail(sql, err);
      }
    },
    async batch(statements) {
      try {
        return await retry((c) => c.batch(statements));
      } catch (err) {
        return fail(typeof statements[0] === "string" ? statements[0] : statements[0]?.sql ?? "batch", err);
      }
    },
    close() {
      closed = true;
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
