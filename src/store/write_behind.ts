/**
 * Bookkeeping writes committed in batches: `add` queues a statement and resolves at once, and the queue is
 * committed as one transaction every `flushMs` (or at `maxBatch` statements, or on `flush()`).
 *
 * Why: a turn's bookkeeping (its milestones, usage row, session counters and audit row) was a dozen SQLite
 * write transactions, each paying the commit and, with the main thread and the shard workers on their own
 * connections, a page cache that another connection's commit has just invalidated (measured: an INSERT that
 * alternates between two connections costs 86 µs against 39 µs on one). One transaction for all of them
 * costs about what one of them did.
 *
 * Only for rows nothing waits on within the turn. A shard worker flushes at the end of each job, before its
 * result reaches the main thread, so what the run wrote is committed by the time anyone hears it ended;
 * what a crash can lose is at most the unflushed part of a turn that never ended either. Reads of these
 * rows flush first (see the repositories that take a WriteBehind).
 */
import type { InStatement, Row } from "@libsql/client";
import { type Clock, systemClock } from "../core/clock.ts";
import type { Db } from "./db.ts";

export interface WriteBehind {
  /** Queues a statement for the next batch (resolves at once); after close, writes it at once. */
  add(statement: InStatement): Promise<void>;
  /** Commits everything queued so far; resolves when it is committed. */
  flush(): Promise<void>;
  /**
   * Commits everything queued so far and then `statement`, in one transaction, and resolves to the rows
   * `statement` returned (its RETURNING clause): a write that must be durable now takes the queue along
   * instead of paying a transaction of its own. When that transaction fails, the queued statements are
   * written one by one (as `flush` does) and `statement` alone, whose own failure rejects.
   */
  flushWith(statement: InStatement): Promise<Row[]>;
  /** Flushes and stops the timer. Later `add`s are written at once, one by one. */
  close(): Promise<void>;
}

export interface WriteBehindOptions {
  /** Runs the flush timer (default the system clock). */
  clock?: Clock;
  flushMs?: number;
  maxBatch?: number;
  /** Told about every statement that could not be written (the rest of its batch is still written). */
  onError?: (err: unknown) => void;
}

/** Runs one statement on `db`. */
function runOn(db: Db, s: InStatement) {
  return typeof s === "string" ? db.run(s) : db.run(s.sql, s.args as never);
}

/** Runs one statement on `db` and returns its rows. */
function queryOn(db: Db, s: InStatement) {
  return typeof s === "string" ? db.query(s) : db.query(s.sql, s.args as never);
}

/** Writes `statement` through `queue` when there is one, else at once on `db`. */
export async function writeVia(
  queue: WriteBehind | undefined,
  db: Db,
  statement: InStatement,
): Promise<void> {
  if (queue) await queue.add(statement);
  else await runOn(db, statement);
}

export function createWriteBehind(db: Db, opts: WriteBehindOptions = {}): WriteBehind {
  const clock = opts.clock ?? systemClock;
  const flushMs = opts.flushMs ?? 10;
  const maxBatch = opts.maxBatch ?? 200;
  let pending: InStatement[] = [];
  let timer: number | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  /** One transaction; when it fails, each statement alone, so one bad row does not take the others. */
  const commit = async (rows: InStatement[]) => {
    try {
      await db.batch(rows);
    } catch (err) {
      if (rows.length === 1) throw err;
      let first: unknown;
      for (const s of rows) {
        try {
          await runOn(db, s);
        } catch (e) {
          first ??= e;
          if (first !== e) opts.onError?.(e);
        }
      }
      if (first !== undefined) throw first;
    }
  };

  const stopTimer = () => {
    if (timer !== undefined) {
      clock.clearTimeout(timer);
      timer = undefined;
    }
  };

  const flush = (): Promise<void> => {
    stopTimer();
    if (pending.length === 0) return writing;
    const rows = pending;
    pending = [];
    // Batches commit in order: each waits for the one before it (a failure is reported, not retried).
    const batch = writing.then(() => commit(rows));
    writing = batch.catch((err) => opts.onError?.(err));
    return batch;
  };

  return {
    add(statement) {
      if (closed) return runOn(db, statement).then(() => {});
      pending.push(statement);
      if (pending.length >= maxBatch) void flush().catch(() => {});
      else if (timer === undefined) timer = clock.setTimeout(() => void flush().catch(() => {}), flushMs);
      return Promise.resolve();
    },
    flush,
    flushWith(statement) {
      if (closed) return queryOn(db, statement);
      stopTimer();
      const rows = pending;
      pending = [];
      const run = writing.then(async () => {
        if (rows.length === 0) return await queryOn(db, statement);
        try {
          return await db.batch([...rows, statement]);
        } catch {
          await commit(rows).catch((err) => opts.onError?.(err));
          return await queryOn(db, statement);
        }
      });
      writing = run.then(() => {}, () => {});
      return run;
    },
    async close() {
      closed = true;
      await flush();
    },
  };
}

/**
 * `db` for a repository some of whose writes go through `queue`: every statement it runs directly waits for
 * the queue to be committed first, so the repository's reads see its queued writes and its other writes
 * land after them, in the order they were made.
 */
export function afterQueue(db: Db, queue: WriteBehind | undefined): Db {
  if (!queue) return db;
  const settled = () => queue.flush().catch(() => {}); // a failed batch was reported to onError
  const view: Db = Object.create(db);
  return Object.assign(view, {
    query: async (sql: string, args?: Parameters<Db["query"]>[1]) => (await settled(), db.query(sql, args)),
    run: async (sql: string, args?: Parameters<Db["run"]>[1]) => (await settled(), db.run(sql, args)),
    batch: async (statements: InStatement[]) => (await settled(), db.batch(statements)),
  });
}
