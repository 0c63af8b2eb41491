/**
 * A connection on which a statement failed with SQLITE_BUSY must not be used again (libSQL never resets
 * that statement): its next write would report success without committing and hold the write lock for
 * good, locking every other connection out. Seen as a gateway whose every write failed "database is
 * locked" from minute three of a soak on a loaded machine, until restart.
 */
import assert from "node:assert/strict";
import { createClient } from "@libsql/client";
import { openDb, WAL_AUTOCHECKPOINT_PAGES } from "../../src/store/db.ts";

Deno.test("after a statement fails on a locked database, the next writes commit and lock no one out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon_busy_" });
  const url = `file:${dir}/store.db`;
  const victim = await openDb({ url, busyRetryMs: 300 });
  const other = await openDb({ url, busyRetryMs: 2_000 });
  const holderClient = createClient({ url });
  try {
    await victim.run("CREATE TABLE t (x INTEGER)");
    const holder = await holderClient.transaction("write");
    await assert.rejects(victim.run("INSERT INTO t VALUES (1)"), /database is locked/);
    await assert.rejects(
      victim.batch([{ sql: "INSERT INTO t VALUES (?)", args: [11] }]),
      /database is locked/,
    );
    await holder.rollback();

    await victim.run("INSERT INTO t VALUES (2)");
    await other.run("INSERT INTO t VALUES (3)"); // locked out for good without the fix
    await victim.batch([{ sql: "INSERT INTO t VALUES (?)", args: [4] }]);
    await other.run("INSERT INTO t VALUES (5)");
    // What the victim wrote is committed: a third connection sees it.
    const seen = await holderClient.execute("SELECT x FROM t ORDER BY x");
    assert.deepEqual(seen.rows.map((r) => Number(r.x)), [2, 3, 4, 5]);
    // The WAL can be checkpointed: no connection is left holding an old snapshot.
    const ck = await other.query<{ busy: number }>("PRAGMA wal_checkpoint(TRUNCATE)");
    assert.equal(ck[0]?.busy, 0);
    // The replacement connection kept the PRAGMAs.
    assert.equal((await victim.query<{ foreign_keys: number }>("PRAGMA foreign_keys"))[0]?.foreign_keys, 1);
    assert.equal((await victim.query<{ timeout: number }>("PRAGMA busy_timeout"))[0]?.timeout, 200);
    assert.equal(
      (await victim.query<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"))[0]
        ?.wal_autocheckpoint,
      WAL_AUTOCHECKPOINT_PAGES,
    );
  } finally {
    victim.close();
    other.close();
    holderClient.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("statements on one store handle run one at a time, in order, and a closed handle refuses", async () => {
  const db = await openDb({ url: ":memory:" });
  await db.run("CREATE TABLE t (x INTEGER)");
  await Promise.all(Array.from({ length: 50 }, (_, i) => db.run("INSERT INTO t VALUES (?)", [i])));
  const rows = await db.query<{ x: number }>("SELECT x FROM t ORDER BY rowid");
  assert.deepEqual(rows.map((r) => r.x), Array.from({ length: 50 }, (_, i) => i));
  db.close();
  assert.equal(db.closed, true);
  await assert.rejects(db.query("SELECT 1"), /closed/i);
});

Deno.test("a store file checkpoints its WAL every 10,000 pages, not SQLite's 1,000", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon_wal_" });
  const db = await openDb({ url: `file:${dir}/store.db` });
  try {
    const rows = await db.query<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint");
    assert.equal(rows[0]?.wal_autocheckpoint, 10_000);
    assert.deepEqual(await db.query("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
