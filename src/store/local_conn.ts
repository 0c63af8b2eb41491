import Database from "libsql";
import type { InArgs, InStatement, InValue, Row } from "@libsql/client";

/** What one statement returned: rows as objects keyed by column name, or what it changed. */
export interface ExecResult {
  rows: Row[];
  rowsAffected: number;
  lastInsertRowid?: bigint;
}

/** One connection to a database, as db.ts drives it (one statement at a time). */
export interface Conn {
  execute(sql: string, args: InArgs): Promise<ExecResult>;
  /**
   * Runs statements in one write transaction (BEGIN IMMEDIATE … COMMIT), rolled back on failure. Resolves
   * to the rows the last statement returned (e.g. its RETURNING clause).
   */
  batch(statements: InStatement[]): Promise<Row[]>;
  close(): void;
  readonly closed: boolean;
}

/** Prepared statements a connection keeps (distinct SQL texts; ours are a few dozen). */
export const STATEMENT_CACHE_SIZE = 256;

/** The path a file: URL names (file:/abs, file:rel, file:///abs). */
export function filePath(url: string): string {
  if (url === ":memory:") return url;
  if (url.startsWith("file://")) return decodeURIComponent(new URL(url).pathname);
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

type Statement = ReturnType<Database.Database["prepare"]>;

/**
 * A local SQLite file (or :memory:) through libSQL's native binding directly, with its prepared statements
 * kept per SQL text.
 *
 * Why not @libsql/client's local client, which wraps the same binding: it prepares every statement anew
 * and finds out whether it returns rows by letting `raw()` throw. Under Deno a prepared statement's native
 * memory (~4 KB) is only given back when a finalizer runs on a later event-loop turn, and a little is kept
 * for good: measured as RSS rising with every statement run (~55 B each with finalizers running, 4 KB
 * each in a loop that never yields), which was the gateway's RSS slope in a long soak. A statement
 * prepared once and run again costs nothing more, and is ~3× cheaper to run.
 */
export class LocalConn implements Conn {
  #db: Database.Database;
  #cache = new Map<string, Statement>();
  #closed = false;

  constructor(url: string, readonly cacheSize = STATEMENT_CACHE_SIZE) {
    this.#db = new Database(filePath(url));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Statements held prepared (for tests). */
  get cached(): number {
    return this.#cache.size;
  }

  // deno-lint-ignore require-await -- async so that a failing statement rejects instead of throwing
  async execute(sql: string, args: InArgs): Promise<ExecResult> {
    return this.#execute(sql, args);
  }

  // deno-lint-ignore require-await -- as execute
  async batch(statements: InStatement[]): Promise<Row[]> {
    this.#execute("BEGIN IMMEDIATE", []);
    try {
      let rows: Row[] = [];
      for (const s of statements) {
        rows = (typeof s === "string" ? this.#execute(s, []) : this.#execute(s.sql, s.args ?? [])).rows;
      }
      this.#execute("COMMIT", []);
      return rows;
    } catch (err) {
      try {
        if (this.#db.inTransaction) this.#execute("ROLLBACK", []);
      } catch { /* the failure that matters is the statement's; a busy retry reconnects */ }
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    this.#db.close();
  }

  #statement(sql: string): Statement {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Most recently used last: the first entry is the one to evict.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    const stmt = this.#db.prepare(sql);
    if (stmt.reader) stmt.raw(true);
    this.#cache.set(sql, stmt);
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return stmt;
  }

  #execute(sql: string, args: InArgs): ExecResult {
    if (this.#closed) throw new Error("The database connection is closed");
    const stmt = this.#statement(sql);
    const bound = bindArgs(args);
    try {
      if (!stmt.reader) {
        const info = stmt.run(bound);
        return { rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
      }
      const raw = stmt.all(bound) as unknown[][];
      const names = stmt.columns().map((c) => c.name);
      return { rows: raw.map((r) => toRow(r, names)), rowsAffected: 0 };
    } catch (err) {
      // A statement that failed (busy, constraint, interrupted) may not have been reset: never reuse it.
      this.#cache.delete(sql);
      throw err;
    }
  }
}

function bindArgs(args: InArgs): unknown[] | Record<string, unknown> {
  if (Array.isArray(args)) return args.map(toSql);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    named[/^[@$:]/.test(name) ? name.slice(1) : name] = toSql(value);
  }
  return named;
}

/** Argument values as @libsql/client accepts them. */
function toSql(value: InValue | undefined): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
    }
    return value;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

/** A row keyed by column name (the first of equal names wins, as in @libsql/client); blobs as ArrayBuffer. */
function toRow(values: unknown[], names: string[]): Row {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < values.length; i++) {
    const name = names[i]!;
    if (Object.hasOwn(row, name)) continue;
    const v = values[i];
    row[name] = v instanceof Uint8Array ? v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) : v;
  }
  return row as Row;
}
