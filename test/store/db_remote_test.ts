import assert from "node:assert/strict";
import { openDb } from "../../src/store/db.ts";
import { remoteDb, serveDb } from "../../src/store/db_remote.ts";
import { storeOver } from "../../src/store/mod.ts";
import { StoreError } from "../../src/core/errors.ts";
import { startTestGateway } from "../helpers/gateway.ts";

async function pair() {
  const db = await openDb({ url: ":memory:" });
  const channel = new MessageChannel();
  const stop = serveDb(db, channel.port1);
  const remote = remoteDb(channel.port2, db.url);
  return {
    db,
    remote,
    [Symbol.dispose]() {
      remote.close();
      stop();
      db.close();
    },
  };
}

Deno.test("remote db: statements run on the serving connection; rows, counts and rowids come back", async () => {
  using p = await pair();
  await p.remote.run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)");
  const r = await p.remote.run("INSERT INTO t (name, data) VALUES (?, ?)", ["a", new Uint8Array([1, 2])]);
  assert.equal(r.rowsAffected, 1);
  assert.equal(r.lastInsertRowid, 1n);
  await p.remote.batch([
    { sql: "INSERT INTO t (name) VALUES (?)", args: ["b"] },
    { sql: "INSERT INTO t (name) VALUES (?)", args: ["c"] },
  ]);
  const rows = await p.remote.query<{ id: number; name: string }>("SELECT id, name FROM t ORDER BY id");
  assert.deepEqual(rows, [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "c" }]);
  // The serving side sees the same rows: there is one database, not two.
  assert.deepEqual((await p.db.query<{ n: number }>("SELECT count(*) AS n FROM t"))[0], { n: 3 });
  const [blob] = await p.remote.query<{ data: ArrayBuffer }>("SELECT data FROM t WHERE id = 1");
  assert.deepEqual([...new Uint8Array(blob!.data)], [1, 2]);
});

Deno.test("remote db: a failing statement or batch rejects with the store's error and changes nothing", async () => {
  using p = await pair();
  await p.remote.run("CREATE TABLE t (name TEXT NOT NULL UNIQUE)");
  await assert.rejects(p.remote.run("INSERT INTO t (name) VALUES (NULL)"), (err) => {
    assert.ok(err instanceof StoreError);
    assert.match((err as Error).message, /NOT NULL/);
    return true;
  });
  await assert.rejects(p.remote.query("SELECT * FROM missing"), /no such table/);
  await assert.rejects(
    p.remote.batch([
      { sql: "INSERT INTO t (name) VALUES (?)", args: ["x"] },
      { sql: "INSERT INTO t (name) VALUES (?)", args: ["x"] },
    ]),
    /UNIQUE/,
  );
  assert.deepEqual(await p.remote.query("SELECT * FROM t"), [], "the batch was rolled back as a whole");
  // Still usable afterwards.
  await p.remote.run("INSERT INTO t (name) VALUES ('ok')");
  assert.equal((await p.remote.query("SELECT * FROM t")).length, 1);
});

Deno.test("remote db: requests that cannot be copied, and use after close, fail clearly", async () => {
  using p = await pair();
  await assert.rejects(
    p.remote.run("SELECT ?", [(() => {}) as unknown as string]),
    (err) => err instanceof StoreError && /cannot be sent/.test((err as Error).message),
  );
  const store = storeOver(p.remote);
  await p.db.run("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)");
  await store.kv.set("k", { v: 1 });
  assert.deepEqual(await store.kv.get("k"), { v: 1 });
  assert.equal(store.ready(), true);
  const pending = p.remote.query("SELECT 1");
  p.remote.close();
  assert.equal(p.remote.closed, true);
  assert.equal(store.ready(), false);
  await pending.then(() => {}, () => {}); // either answered before close or rejected by it
  await assert.rejects(p.remote.query("SELECT 1"), /closed/);
});

Deno.test("gateway: shard workers use the main thread's connection, so even a :memory: store is shared", async () => {
  await using gw = await startTestGateway({
    store: { url: ":memory:" },
    agents: { defaults: { model: { primary: "echo/echo" } } },
  });
  const client = await gw.connect();
  try {
    // deno-lint-ignore no-explicit-any
    const final = await client.request<any>("agent", { message: "one database" }, {
      onAck: () => {},
      timeoutMs: 30_000,
    });
    assert.equal(final.status, "ok");
    // The worker wrote the transcript; the main thread reads it from the same in-memory database.
    const rows = await gw.store.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM transcript_entries WHERE json_extract(content, '$.text') = 'one database'",
    );
    assert.equal(rows[0]?.n, 1);
  } finally {
    await client.close();
  }
});
