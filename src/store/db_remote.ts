/**
 * The store across threads. Shard workers do not open the database themselves: every statement they run
 * is sent over a MessagePort to the main thread, which runs it on its own connection and sends the rows
 * back. So there is one connection and one writer per process: no SQLite lock contention between
 * threads (a contended write used to sleep the whole thread in SQLite's busy handler), and a worker
 * never loads the libSQL native library.
 */
import type { InArgs, InStatement } from "@libsql/client";
import { StoreError } from "../core/errors.ts";
import type { Db } from "./db.ts";

type Operation =
  | { op: "query"; sql: string; args?: InArgs }
  | { op: "run"; sql: string; args?: InArgs }
  | { op: "batch"; statements: InStatement[] };
type Request = Operation & { id: number };

type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

/** Answers a remote Db's requests on `port` with `db`. Returns a function that stops serving. */
export function serveDb(db: Db, port: MessagePort): () => void {
  const reply = (res: Response) => {
    try {
      port.postMessage(res);
    } catch (err) {
      port.postMessage({
        id: res.id,
        ok: false,
        message: `Store result cannot be sent: ${(err as Error).message}`,
      });
    }
  };
  port.onmessage = async (e: MessageEvent<Request>) => {
    const req = e.data;
    if (!req || typeof req.id !== "number") return;
    try {
      let value: unknown;
      if (req.op === "query") {
        // Plain objects: libSQL rows carry non-enumerable index keys that would not survive the copy anyway.
        value = (await db.query(req.sql, req.args)).map((row) => ({ ...row }));
      } else if (req.op === "run") {
        value = await db.run(req.sql, req.args);
      } else if (req.op === "batch") {
        await db.batch(req.statements);
      } else {
        throw new StoreError(`Unknown store operation ${(req as { op: unknown }).op}`);
      }
      reply({ id: req.id, ok: true, value });
    } catch (err) {
      reply({ id: req.id, ok: false, message: (err as Error).message ?? String(err) });
    }
  };
  return () => {
    port.onmessage = null;
    port.close();
  };
}

/** A Db whose statements run on the thread that serves `port` (see serveDb). */
export function remoteDb(port: MessagePort, url: string): Db {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, PromiseWithResolvers<unknown>>();
  port.onmessage = (e: MessageEvent<Response>) => {
    const res = e.data;
    const p = pending.get(res.id);
    if (!p) return;
    pending.delete(res.id);
    if (res.ok) p.resolve(res.value);
    else p.reject(new StoreError(res.message));
  };
  const call = <T>(req: Operation): Promise<T> => {
    if (closed) return Promise.reject(new StoreError("Store is closed"));
    const id = nextId++;
    const p = Promise.withResolvers<unknown>();
    pending.set(id, p);
    try {
      port.postMessage({ ...req, id });
    } catch (err) {
      pending.delete(id);
      return Promise.reject(new StoreError(`Store request cannot be sent: ${(err as Error).message}`));
    }
    return p.promise as Promise<T>;
  };
  return {
    url,
    get closed() {
      return closed;
    },
    query: <T>(sql: string, args?: InArgs) => call<T[]>({ op: "query", sql, args }),
    run: (sql, args) => call({ op: "run", sql, args }),
    batch: (statements) => call<void>({ op: "batch", statements }),
    close() {
      if (closed) return;
      closed = true;
      port.onmessage = null;
      port.close();
      for (const p of pending.values()) p.reject(new StoreError("Store is closed"));
      pending.clear();
    },
  };
}
