import assert from "node:assert/strict";
import { harness, sawEvent } from "./harness.ts";
import { inboxDedupeKey } from "../../src/store/inbox.ts";
import { createIntake } from "../../src/lanes/intake.ts";

const KEY = "agent:main:telegram:direct:42";

async function holdFirst(h: Awaited<ReturnType<typeof harness>>, text = "first") {
  const first = h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "hold", text } });
  await h.waitFor("first run to start", () => sawEvent(h.events, "started", first.runId));
  return first;
}

Deno.test("queue mode steer: the message reaches the running job, which decides to use it", async () => {
  const h = await harness({ settings: { queueMode: "steer" } });
  try {
    const first = await holdFirst(h);
    const steer = h.scheduler.submit({ sessionKey: KEY, payload: { text: "also this" } });
    assert.equal(steer.action, "steered");
    await h.waitFor(
      "steer delivered",
      () => h.events.some((e) => e.event === "steered" && e.runId === first.runId),
    );
    h.scheduler.steer(KEY, { release: true });
    await h.scheduler.idle();
    assert.equal(h.results.length, 1, "no extra turn: the job took the steer");
    assert.deepEqual(h.results[0]!.result.steered.map((s) => s.text), ["also this"]);
  } finally {
    await h.close();
  }
});

Deno.test("queue mode steer: a steer the job never took runs as a follow-up, not dropped", async () => {
  const h = await harness({ settings: { queueMode: "steer" } });
  try {
    const first = h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "sleep", ms: 1000, text: "first" } });
    await h.waitFor("first run to start", () => sawEvent(h.events, "started", first.runId));
    assert.equal(h.scheduler.submit({ sessionKey: KEY, payload: { text: "late" } }).action, "steered");
    await h.scheduler.idle();
    assert.deepEqual(h.results.map((r) => r.result.texts), [["first"], ["late"]]);
  } finally {
    await h.close();
  }
});

Deno.test("queue mode followup: each queued message gets its own turn after the current one", async () => {
  const h = await harness();
  try {
    await holdFirst(h);
    assert.equal(h.scheduler.submit({ sessionKey: KEY, payload: { text: "b" } }).action, "queued");
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "c" } });
    assert.equal(h.results.length, 0);
    h.scheduler.steer(KEY, { release: true });
    await h.scheduler.idle();
    assert.deepEqual(h.results.map((r) => r.result.texts), [["first"], ["b"], ["c"]]);
  } finally {
    await h.close();
  }
});

Deno.test("queue mode collect: everything queued becomes one follow-up turn (per-session override)", async () => {
  const h = await harness();
  try {
    h.scheduler.setSessionMode(KEY, "collect");
    assert.equal(h.scheduler.sessionMode(KEY), "collect");
    await holdFirst(h);
    for (const text of ["b", "c", "d"]) h.scheduler.submit({ sessionKey: KEY, payload: { text } });
    h.scheduler.steer(KEY, { release: true });
    await h.scheduler.idle();
    assert.deepEqual(h.results.map((r) => r.result.texts), [["first"], ["b", "c", "d"]]);
    assert.equal(h.results[1]!.result.runIds.length, 3);
  } finally {
    await h.close();
  }
});

Deno.test("queue mode interrupt: aborts the running job and starts on the newest message (per request)", async () => {
  const h = await harness();
  try {
    const intake = createIntake({ inbox: h.inbox, scheduler: h.scheduler });
    const first = await intake.receive({
      dedupeKey: inboxDedupeKey("telegram", "default", "1"),
      agentId: "main",
      runId: "run_first",
      sessionKey: KEY,
      payload: { cmd: "hold", text: "first" },
    });
    await h.waitFor("first run", () => sawEvent(h.events, "started", "run_first"));
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "queued meanwhile" } });
    const newest = h.scheduler.submit({ sessionKey: KEY, payload: { text: "newest" }, mode: "interrupt" });
    assert.equal(newest.action, "interrupting");
    await h.scheduler.idle();
    assert.deepEqual(h.results.map((r) => r.result.texts), [["newest"]]);
    assert.deepEqual(h.results[0]!.result.dropped, ["queued meanwhile"]);
    assert.equal((await h.inbox.get(first.inboxId))?.state, "interrupted");
    const end = h.events.find((e) => e.event === "run.end" && e.runId === "run_first");
    assert.equal((end?.payload as { status: string }).status, "interrupted");
    assert.equal(h.failures.length, 0, "an interrupt is not reported as a failure");
  } finally {
    await h.close();
  }
});

Deno.test("queue mode comes from the channel when neither request nor session sets it", async () => {
  const { createScheduler } = await import("../../src/lanes/scheduler.ts");
  const { createShardPool } = await import("../../src/lanes/shard_pool.ts");
  const { HANDLER_URL, baseSettings } = await import("./harness.ts");
  const pool = createShardPool({ handlerUrl: HANDLER_URL, shards: 1 });
  const seen: string[][] = [];
  const scheduler = createScheduler({
    pool,
    settings: baseSettings,
    channelMode: (channel) => (channel === "discord" ? "collect" : undefined),
    hooks: {
      onResult: (turn) => void seen.push(turn.messages.map((m) => (m.payload as { text: string }).text)),
    },
  });
  try {
    scheduler.submit({ sessionKey: KEY, payload: { cmd: "sleep", ms: 200, text: "a" } });
    assert.equal(
      scheduler.submit({ sessionKey: KEY, channel: "discord", payload: { text: "b" } }).mode,
      "collect",
    );
    assert.equal(
      scheduler.submit({ sessionKey: KEY, channel: "discord", payload: { text: "c" } }).mode,
      "collect",
    );
    assert.equal(
      scheduler.submit({ sessionKey: "x", channel: "telegram", payload: { text: "x" } }).mode,
      "followup",
    );
    await scheduler.idle();
    assert.deepEqual(seen.filter((s) => s[0] !== "x"), [["a"], ["b", "c"]]);
  } finally {
    await scheduler.close();
  }
});

Deno.test("debounce: rapid messages from one sender become one turn", async () => {
  const h = await harness({ settings: { debounceMs: 150 } });
  try {
    for (const text of ["hi", "are you", "there?"]) {
      h.scheduler.submit({ sessionKey: KEY, senderId: "u1", payload: { text } });
    }
    h.scheduler.submit({ sessionKey: "agent:main:other", senderId: "u2", payload: { text: "solo" } });
    await h.scheduler.idle();
    const mine = h.results.filter((r) => r.turn.sessionKey === KEY).map((r) => r.result.texts);
    assert.deepEqual(mine, [["hi", "are you", "there?"]]);
    assert.ok(h.results[0]!.turn.waitMs >= 100, "the turn waited for the burst to end");
  } finally {
    await h.close();
  }
});

for (
  const [policy, expected] of [
    ["old", { texts: [["first"], ["c"], ["d"]], dropped: [] as string[] }],
    ["new", { texts: [["first"], ["b"], ["c"]], dropped: [] as string[] }],
    ["summarize", { texts: [["first"], ["c"], ["d"]], dropped: ["b"] }],
  ] as const
) {
  Deno.test(`queue cap 2 with drop policy "${policy}"`, async () => {
    const h = await harness({ settings: { queueCap: 2, queueDrop: policy } });
    try {
      await holdFirst(h);
      const results = ["b", "c", "d"].map((text) =>
        h.scheduler.submit({ sessionKey: KEY, payload: { text } })
      );
      assert.equal(results[2]!.action, policy === "new" ? "dropped" : "queued");
      assert.equal(h.events.filter((e) => e.event === "lanes.dropped").length, 1);
      h.scheduler.steer(KEY, { release: true });
      await h.scheduler.idle();
      assert.deepEqual(h.results.map((r) => r.result.texts), expected.texts);
      assert.deepEqual(h.results[1]!.result.dropped, expected.dropped);
      assert.equal(h.scheduler.status().totals.dropped, 1);
    } finally {
      await h.close();
    }
  });
}

Deno.test("intake: a duplicate delivery is dropped before it reaches a lane", async () => {
  const h = await harness();
  try {
    const intake = createIntake({ inbox: h.inbox, scheduler: h.scheduler });
    const msg = {
      dedupeKey: inboxDedupeKey("telegram", "default", "777"),
      agentId: "main",
      runId: "run_777",
      sessionKey: KEY,
      payload: { text: "once" },
    };
    const a = await intake.receive(msg);
    const b = await intake.receive({ ...msg, runId: "run_again" });
    assert.equal(a.duplicate, false);
    assert.equal(b.duplicate, true);
    assert.equal(b.result, undefined);
    await h.scheduler.idle();
    assert.equal(h.results.length, 1);
    assert.equal((await h.inbox.get(a.inboxId))?.state, "done");
    const milestones = (await h.store.milestones.forRun("run_777")).map((m) => m.kind);
    assert.deepEqual(milestones, ["queued", "run.start", "run.end"]);
    const queued = (await h.store.milestones.forRun("run_777"))[0]!;
    assert.equal(typeof queued.data.waitMs, "number");
  } finally {
    await h.close();
  }
});

Deno.test("intake: recover re-runs what a crash left queued or running, flagging interrupted runs", async () => {
  const h = await harness();
  try {
    const running = await h.inbox.accept({
      dedupeKey: "t|a|1",
      sessionKey: KEY,
      agentId: "main",
      payload: { payload: { text: "was running" } },
      runId: "run_r1",
    });
    await h.inbox.accept({
      dedupeKey: "t|a|2",
      sessionKey: KEY,
      agentId: "main",
      payload: { payload: { text: "was queued" } },
      runId: "run_r2",
    });
    const tired = await h.inbox.accept({
      dedupeKey: "t|a|3",
      sessionKey: "agent:main:x",
      agentId: "main",
      payload: {},
      runId: "run_r3",
    });
    await h.inbox.mark([running.id, tired.id], "running");
    // run_r3 has already been interrupted by two earlier restarts.
    await h.inbox.recover();
    await h.inbox.mark([tired.id], "running");
    await h.inbox.recover();
    await h.inbox.mark([tired.id, running.id], "running");
    const gaveUp: string[] = [];
    const intake = createIntake({ inbox: h.inbox, scheduler: h.scheduler });
    const r = await intake.recover({ maxRecoveries: 2, onGiveUp: (item) => void gaveUp.push(item.runId) });
    assert.deepEqual(r, { requeued: 2, gaveUp: 1 });
    assert.deepEqual(gaveUp, ["run_r3"]);
    await h.scheduler.idle();
    assert.deepEqual(h.results.map((x) => [x.result.texts, x.result.interrupted]), [
      [["was running"], [true]],
      [["was queued"], [false]],
    ]);
    assert.equal((await h.inbox.get(tired.id))?.state, "failed");
    assert.deepEqual((await h.inbox.counts()).done, 2);
  } finally {
    await h.close();
  }
});
