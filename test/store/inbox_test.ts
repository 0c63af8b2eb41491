import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createInboxRepo, inboxDedupeKey } from "../../src/store/inbox.ts";

async function setup() {
  let t = 1000;
  const store = await openStore({ url: ":memory:" });
  const inbox = createInboxRepo(store.db, () => t);
  return { store, inbox, tick: (ms: number) => t += ms };
}

const msg = (id: string, extra: Record<string, unknown> = {}) => ({
  dedupeKey: inboxDedupeKey("telegram", "default", id),
  sessionKey: "agent:main:main",
  agentId: "main",
  payload: { text: `hello ${id}` },
  runId: `run_${id}`,
  ...extra,
});

Deno.test("inbox: accept stores a queued message and drops a duplicate delivery", async () => {
  const { store, inbox } = await setup();
  try {
    const a = await inbox.accept(msg("1"));
    assert.equal(a.duplicate, false);
    const again = await inbox.accept({ ...msg("1"), runId: "run_other", payload: { text: "changed" } });
    assert.deepEqual(again, { id: a.id, duplicate: true, runId: "run_1" });
    const item = await inbox.get(a.id);
    assert.equal(item?.state, "queued");
    assert.deepEqual(item?.payload, { text: "hello 1" });
    assert.equal((await inbox.list()).length, 1);
    // Same platform id on another account is a different message.
    const other = await inbox.accept({ ...msg("1"), dedupeKey: inboxDedupeKey("telegram", "second", "1") });
    assert.equal(other.duplicate, false);
  } finally {
    store.close();
  }
});

Deno.test("inbox: bad input is refused", async () => {
  const { store, inbox } = await setup();
  try {
    assert.throws(() => inboxDedupeKey("telegram", "", "1"), TypeError);
    await assert.rejects(inbox.accept({ ...msg("1"), dedupeKey: "" }), TypeError);
    await assert.rejects(inbox.accept({ ...msg("1"), runId: "" }), TypeError);
    await assert.rejects(inbox.mark([1], "bogus" as never), RangeError);
  } finally {
    store.close();
  }
});

Deno.test("inbox: states move queued → running → done | failed and are counted", async () => {
  const { store, inbox } = await setup();
  try {
    const a = await inbox.accept(msg("a"));
    const b = await inbox.accept(msg("b"));
    assert.equal(await inbox.mark([a.id, b.id], "running"), 2);
    await inbox.mark([a.id], "done");
    await inbox.mark([b.id], "failed", "model unavailable");
    assert.equal((await inbox.get(b.id))?.error, "model unavailable");
    const counts = await inbox.counts();
    assert.equal(counts.done, 1);
    assert.equal(counts.failed, 1);
    assert.equal(counts.queued, 0);
    assert.equal(await inbox.mark([], "done"), 0);
  } finally {
    store.close();
  }
});

Deno.test("inbox: recover returns queued and running messages, flagging running ones interrupted", async () => {
  const { store, inbox, tick } = await setup();
  try {
    const a = await inbox.accept(msg("a"));
    const b = await inbox.accept(msg("b"));
    const c = await inbox.accept(msg("c"));
    await inbox.mark([a.id], "running");
    await inbox.mark([c.id], "done");
    const recovered = await inbox.recover();
    assert.deepEqual(recovered.map((r) => [r.id, r.state, r.interrupted, r.recoveries]), [
      [a.id, "queued", true, 1],
      [b.id, "queued", false, 0],
    ]);
    // A second crash while re-running counts again.
    await inbox.mark([a.id], "running");
    const again = await inbox.recover();
    assert.equal(again.find((r) => r.id === a.id)?.recoveries, 2);
    // Prune removes only finished rows older than the cut-off.
    tick(10_000);
    assert.equal(await inbox.prune(5_000), 1);
    assert.equal((await inbox.list()).length, 2);
  } finally {
    store.close();
  }
});
