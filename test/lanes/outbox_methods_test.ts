import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createOutboxRepo, type OutboxTarget } from "../../src/store/outbox.ts";
import { createOutboxMethods } from "../../src/lanes/outbox_methods.ts";
import { runOutbox } from "../../src/cli/outbox.ts";
import type { CliIo } from "../../src/cli/io.ts";
import type { MethodContext } from "../../src/gateway/methods/registry.ts";

const chat: OutboxTarget = { channel: "telegram", accountId: "default", to: "42" };

async function setup() {
  const store = await openStore({ url: ":memory:" });
  const outbox = createOutboxRepo(store.db);
  const a = await outbox.enqueue({ runId: "r1", chunkIndex: 0, target: chat, payload: { text: "a" } });
  const b = await outbox.enqueue({ runId: "r1", chunkIndex: 1, target: chat, payload: { text: "b" } });
  for (const item of await outbox.claimDue(Date.now(), 10)) {
    await outbox.markFailed(item.id, "blocked", undefined);
  }
  return { store, outbox, a: a.id, b: b.id };
}

const ctx = {} as MethodContext;

Deno.test("outbox methods: list (read), retry and drop (admin) with validated params", async () => {
  const { store, outbox, a, b } = await setup();
  let kicks = 0;
  try {
    const methods = Object.fromEntries(
      createOutboxMethods({ outbox, kick: () => kicks++ }).map((m) => [m.name, m]),
    );
    assert.deepEqual(Object.keys(methods).sort(), ["outbox.drop", "outbox.list", "outbox.retry"]);
    assert.equal(methods["outbox.list"]!.scope, "read");
    assert.equal(methods["outbox.retry"]!.scope, "admin");
    assert.equal(methods["outbox.drop"]!.scope, "admin");
    const list = methods["outbox.list"]!;
    const dead = await list.handler(list.params.parse({ state: "dead" }), ctx) as { items: { id: number }[] };
    assert.deepEqual(dead.items.map((i) => i.id), [a]);
    assert.equal(list.params.safeParse({ state: "lost" }).success, false);
    assert.equal(list.params.safeParse({ limit: 0 }).success, false);
    assert.equal(list.params.safeParse({ bogus: 1 }).success, false);
    const retry = methods["outbox.retry"]!;
    assert.deepEqual(await retry.handler(retry.params.parse({ id: a }), ctx), { retried: 1 });
    assert.equal(kicks, 1);
    await assert.rejects(
      Promise.resolve(retry.handler(retry.params.parse({ id: a }), ctx)),
      /not dead or dropped/,
    );
    assert.equal(retry.params.safeParse({}).success, false);
    assert.equal(retry.params.safeParse({ id: "1" }).success, false);
    const drop = methods["outbox.drop"]!;
    assert.deepEqual(await drop.handler(drop.params.parse({ id: b }), ctx), { dropped: b });
    await assert.rejects(
      Promise.resolve(drop.handler(drop.params.parse({ id: b }), ctx)),
      (e: Error & { code?: string }) => e.code === "NOT_FOUND",
    );
    assert.equal((await outbox.get(b))?.state, "dropped");
  } finally {
    store.close();
  }
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, interactive: false };
  return { cli, out, err };
}

Deno.test("talon outbox: list, retry, drop and bad arguments", async () => {
  const { store, outbox, a, b } = await setup();
  try {
    let t = io();
    assert.equal(await runOutbox(["list", "--state", "dead"], t.cli, outbox), 0);
    assert.match(t.out.join("\n"), /dead\s+telegram\/default → 42\s+r1#0\s+attempts 1\s+blocked/);
    t = io();
    assert.equal(await runOutbox(["list", "--json"], t.cli, outbox), 0);
    assert.equal(JSON.parse(t.out[0]!).length, 2);
    t = io();
    assert.equal(await runOutbox(["retry", "--all"], t.cli, outbox), 0);
    assert.match(t.out[0]!, /1 dead chunk/);
    t = io();
    assert.equal(await runOutbox(["drop", String(a)], t.cli, outbox), 0);
    assert.equal((await outbox.get(a))?.state, "dropped");
    t = io();
    assert.equal(await runOutbox(["retry", String(a)], t.cli, outbox), 0);
    t = io();
    assert.equal(await runOutbox(["retry", String(a)], t.cli, outbox), 1);
    assert.match(t.err[0]!, /not dead or dropped/);
    for (
      const bad of [["retry", "x"], ["drop"], ["list", "--state", "lost"], ["list", "--limit", "0"], [
        "frobnicate",
      ], []]
    ) {
      t = io();
      assert.equal(await runOutbox(bad, t.cli, outbox), 2, bad.join(" "));
      assert.ok(t.err.length > 0);
    }
    assert.equal((await outbox.get(b))?.state, "pending");
  } finally {
    store.close();
  }
});

Deno.test("talon outbox list: without --state, pending and dead chunks are not hidden behind sent ones", async () => {
  const store = await openStore({ url: ":memory:" });
  const outbox = createOutboxRepo(store.db);
  try {
    // 150 chunks already sent, then one still pending and one dead-lettered.
    for (let i = 0; i < 150; i++) {
      const { id } = await outbox.enqueue({
        runId: `s${i}`,
        chunkIndex: 0,
        target: chat,
        payload: { text: "x" },
      });
      await outbox.claimDue(Date.now(), 1);
      await outbox.markSent(id);
    }
    const dead = await outbox.enqueue({ runId: "dead", chunkIndex: 0, target: chat, payload: { text: "d" } });
    await outbox.claimDue(Date.now(), 1);
    await outbox.markFailed(dead.id, "blocked", undefined);
    const waiting = await outbox.enqueue({
      runId: "wait",
      chunkIndex: 0,
      target: chat,
      payload: { text: "w" },
    });
    let t = io();
    assert.equal(await runOutbox(["list", "--json"], t.cli, outbox), 0);
    const ids = (JSON.parse(t.out[0]!) as { id: number; state: string }[]).map((i) => i.id);
    assert.deepEqual(ids, [dead.id, waiting.id]);
    t = io();
    assert.equal(await runOutbox(["list", "--state", "all", "--json"], t.cli, outbox), 0);
    assert.equal(JSON.parse(t.out[0]!).length, 100, "--state all lists everything, up to --limit");
    t = io();
    assert.equal(await runOutbox(["list", "--state", "sent", "--limit", "500", "--json"], t.cli, outbox), 0);
    assert.equal(JSON.parse(t.out[0]!).length, 150);
  } finally {
    store.close();
  }
});
