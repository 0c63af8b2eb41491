import assert from "node:assert/strict";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { migrate, pendingMigrations } from "../../src/store/migrate.ts";
import { allMigrations } from "../../src/store/migrations.ts";
import { listQuery, openDb } from "../../src/store/db.ts";
import { StoreError } from "../../src/core/errors.ts";
import { tempHome } from "../helpers/temp.ts";

Deno.test("migrations are idempotent on an existing database and the file uses WAL", async () => {
  await using home = await tempHome();
  const url = fileUrl(`${home.dir}/talon.db`);
  const first = await openStore({ url });
  await first.kv.set("a", { x: 1 });
  first.close();
  const second = await openStore({ url });
  try {
    assert.deepEqual(await pendingMigrations(second.db, allMigrations), []);
    assert.deepEqual(await migrate(second.db, allMigrations), [], "nothing applied twice");
    assert.deepEqual(await second.kv.get("a"), { x: 1 });
    const [mode] = await second.db.query<{ journal_mode: string }>("PRAGMA journal_mode");
    assert.equal(mode!.journal_mode, "wal");
  } finally {
    second.close();
  }
});

Deno.test("migrations run in version order, once each; duplicate versions are refused", async () => {
  const db = await openDb({ url: ":memory:" });
  try {
    const applied = await migrate(db, [
      { version: 2, name: "b", sql: ["ALTER TABLE t ADD COLUMN b TEXT"] },
      { version: 1, name: "a", sql: ["CREATE TABLE t (a TEXT)"] },
    ]);
    assert.deepEqual(applied, [1, 2]);
    await assert.rejects(
      migrate(db, [{ version: 1, name: "a", sql: [] }, { version: 1, name: "again", sql: [] }]),
      RangeError,
    );
  } finally {
    db.close();
  }
});

Deno.test("a failing migration leaves nothing half-applied", async () => {
  const db = await openDb({ url: ":memory:" });
  try {
    await assert.rejects(
      migrate(db, [{ version: 1, name: "bad", sql: ["CREATE TABLE ok1 (a)", "CREATE TABLE broken ("] }]),
      StoreError,
    );
    const tables = await db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ok1'",
    );
    assert.deepEqual(tables, []);
    assert.equal((await pendingMigrations(db, [{ version: 1, name: "bad", sql: [] }])).length, 1);
  } finally {
    db.close();
  }
});

Deno.test("reopen after a crash keeps every committed row", async () => {
  await using home = await tempHome();
  const dbFile = `${home.dir}/talon.db`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../fixtures/store_crash_writer.ts", import.meta.url).pathname, dbFile, "50"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("written")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const store = await openStore({ url: fileUrl(dbFile) });
  try {
    for (let i = 0; i < 50; i++) assert.deepEqual(await store.kv.get(`k${i}`), { i });
    assert.equal((await store.audit.list({ kind: "test" })).length, 1);
  } finally {
    store.close();
  }
});

Deno.test("credentials store only a hash and revoked ones stop matching", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const cred = await store.credentials.put({
      name: "ci",
      kind: "operator",
      scopes: ["read"],
      token: "secret-token-value",
    });
    const dump = JSON.stringify(await store.db.query("SELECT * FROM credentials"));
    assert.ok(!dump.includes("secret-token-value"));
    assert.equal((await store.credentials.findByToken("secret-token-value"))?.id, cred.id);
    assert.equal(await store.credentials.findByToken("other"), undefined);
    assert.equal(await store.credentials.revoke(cred.id), true);
    assert.equal(await store.credentials.findByToken("secret-token-value"), undefined);
  } finally {
    store.close();
  }
});

Deno.test("audit rows redact secrets in their details", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    await store.audit.record({
      kind: "config.change",
      outcome: "ok",
      detail: { key: "x", apiKey: "sk-abcdefghijklmnop" },
    });
    const [row] = await store.audit.list({ kind: "config.change" });
    assert.equal(row!.detail!.apiKey, "[redacted]");
  } finally {
    store.close();
  }
});

Deno.test("opening a store at an unusable path fails with a clear StoreError", async () => {
  await assert.rejects(
    openStore({ url: "file:/proc/definitely/not/here/talon.db" }),
    (e: Error) => e instanceof StoreError && /Cannot open store|Store query failed/.test(e.message),
  );
});

Deno.test("several connections writing one WAL file at once never fail with 'database is locked'", async () => {
  await using home = await tempHome();
  const url = fileUrl(`${home.dir}/talon.db`);
  const stores = await Promise.all([openStore({ url }), openStore({ url }), openStore({ url })]);
  try {
    await Promise.all(stores.map(async (s, i) => {
      for (let j = 0; j < 60; j++) {
        await s.kv.set(`k${i}-${j}`, j);
        await s.audit.record({ kind: "load", outcome: "ok", detail: { i, j } });
        await s.db.batch([{ sql: "INSERT INTO events (ts, kind) VALUES (?, ?)", args: [j, `b${i}`] }]);
      }
    }));
    assert.equal((await stores[0]!.audit.list({ kind: "load", limit: 1000 })).length, 180);
  } finally {
    for (const s of stores) s.close();
  }
});

Deno.test("listQuery: a condition per filter that is set, the limit last", () => {
  assert.deepEqual(listQuery("lane_outbox", { state: "dead", run_id: undefined }, 5), {
    sql: "SELECT * FROM lane_outbox WHERE state = ? ORDER BY id LIMIT ?",
    args: ["dead", 5],
  });
  assert.deepEqual(listQuery("lane_inbox", {}, 100), {
    sql: "SELECT * FROM lane_inbox ORDER BY id LIMIT ?",
    args: [100],
  });
  assert.deepEqual(
    listQuery("t", { a: 1, b: "x" }, 2).sql,
    "SELECT * FROM t WHERE a = ? AND b = ? ORDER BY id LIMIT ?",
  );
});
