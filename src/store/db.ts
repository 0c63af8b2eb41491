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
    client = createClient({ url: options.url, authToken: options.authToken, intMode: "number" });
  } catch (err) {
    throw new StoreError(`Cannot open store ${options.url}: ${(err as Error).message}`, { cause: err });
  }
  const local = options.url.startsWith("file:") || options.url === ":memory:";
  try {
    if (local) {
      await client.execute("PRAGMA busy_timeout = 5000");
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

function wrap(client: Client, url: string): Db {
  const fail = (sql: string, err: unknown): never => {
    throw new StoreError(
      `Store query failed (${sql.trim().split(/\s+/).slice(0, 3).join(" ")}…): ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  };
  return {
    url,
    get closed() {
      return client.closed;
    },
    async query<T>(sql: string, args?: InArgs) {
      try {
        const rs = await client.execute({ sql, args: args ?? [] });
        return rs.rows as unknown as T[];
      } catch (err) {
        return fail(sql, err);
      }
    },
    async run(sql, args) {
      try {
        const rs = await client.execute({ sql, args: args ?? [] });
        return { rowsAffected: rs.rowsAffected, lastInsertRowid: rs.lastInsertRowid };
      } catch (err) {
        return fail(sql, err);
      }
    },
    async batch(statements) {
      try {
        await client.batch(statements, "write");
      } catch (err) {
        fail(typeof statements[0] === "string" ? statements[0] : statements[0]?.sql ?? "batch", err);
      }
    },
    close() {
      if (!client.closed) client.close();
    },
  };
}
