import assert from "node:assert/strict";
import { filePath, LocalConn } from "../../src/store/local_conn.ts";
import { openDb } from "../../src/store/db.ts";

Deno.test("a statement run again is prepared once; distinct texts are capped, least recently used first out", async () => {
  const conn = new LocalConn(":memory:", 3);
  try {
    await conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)", []);
    for (let i = 0; i < 500; i++) {
      await conn.execute("INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", [
        "a",
        i,
      ]);
    }
    assert.equal(conn.cached, 2);
    assert.deepEqual((await conn.execute("SELECT v FROM t", [])).rows, [{ v: 499 }]);
    assert.equal(conn.cached, 3);
    await conn.execute("SELECT k FROM t", []);
    assert.equal(conn.cached, 3, "the cap holds");
    // The insert was used more recently than CREATE: it is still there, CREATE was evicted.
    const r = await conn.execute(
      "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
      [
        "b",
        1,
      ],
    );
    assert.equal(r.rowsAffected, 1);
    assert.equal(r.lastInsertRowid, 2n);
  } finally {
    conn.close();
  }
});

Deno.test("a statement that failed is prepared anew, and the connection goes on", async () => {
  const conn = new LocalConn(":memory:");
  try {
    await conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)", []);
    const insert = "INSERT INTO t (k) VALUES (?)";
    await conn.execute(insert, ["x"]);
    await assert.rejects(conn.execute(insert, ["x"]), /UNIQUE/);
    await conn.execute(insert, ["y"]);
    await assert.rejects(conn.execute("SELECT nope FROM t", []), /no such column/);
    assert.deepEqual((await conn.execute("SELECT k FROM t ORDER BY k", [])).rows, [{ k: "x" }, { k: "y" }]);
  } finally {
    conn.close();
  }
});

Deno.test("rows and arguments keep @libsql/client's shapes", async () => {
  const conn = new LocalConn(":memory:");
  try {
    await conn.execute("CREATE TABLE a (id INTEGER, name TEXT, data BLOB, flag INTEGER)", []);
    await conn.execute("CREATE TABLE b (id INTEGER, name TEXT)", []);
    const blob = new Uint8Array([1, 2, 3, 250]);
    await conn.execute("INSERT INTO a VALUES (?, ?, ?, ?)", [1, "first", blob.buffer, true]);
    await conn.execute("INSERT INTO b VALUES (:id, $name)", { ":id": 1, "$name": "second" });
    const { rows } = await conn.execute("SELECT a.*, b.* FROM a JOIN b ON a.id = b.id", []);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    // Equal column names: the first wins.
    assert.equal(row.name, "first");
    assert.equal(row.flag, 1);
    assert.ok(row.data instanceof ArrayBuffer, "blobs come back as ArrayBuffer");
    assert.deepEqual([...new Uint8Array(row.data as ArrayBuffer)], [1, 2, 3, 250]);
    await assert.rejects(conn.execute("SELECT ?", [undefined as never]), TypeError);
    await assert.rejects(conn.execute("SELECT ?", [Infinity]), RangeError);
  } finally {
    conn.close();
  }
});

Deno.test("a batch is one transaction: a failing statement rolls back the ones before it", async () => {
  const conn = new LocalConn(":memory:");
  try {
    await conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)", []);
    await assert.rejects(
      conn.batch([{ sql: "INSERT INTO t VALUES (?)", args: ["a"] }, {
        sql: "INSERT INTO t VALUES (?)",
        args: ["a"],
      }]),
      /UNIQUE/,
    );
    assert.deepEqual((await conn.execute("SELECT count(*) AS n FROM t", [])).rows, [{ n: 0 }]);
    await conn.batch(["INSERT INTO t VALUES ('b')", { sql: "INSERT INTO t VALUES (?)", args: ["c"] }]);
    assert.deepEqual((await conn.execute("SELECT count(*) AS n FROM t", [])).rows, [{ n: 2 }]);
    conn.close();
    await assert.rejects(conn.execute("SELECT 1", []), /closed/);
  } finally {
    conn.close();
  }
});

Deno.test("file: URLs name their path in each spelling", async () => {
  assert.equal(filePath("file:/var/lib/talon/talon.db"), "/var/lib/talon/talon.db");
  assert.equal(filePath("file:///var/lib/my%20talon/talon.db"), "/var/lib/my talon/talon.db");
  assert.equal(filePath("file:talon.db"), "talon.db");
  assert.equal(filePath(":memory:"), ":memory:");
  const dir = await Deno.makeTempDir({ prefix: "talon_conn_" });
  try {
    const db = await openDb({ url: `file://${dir}/store.db` });
    await db.run("CREATE TABLE t (x INTEGER)");
    db.close();
    await Deno.stat(`${dir}/store.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
