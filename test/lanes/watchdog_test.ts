import assert from "node:assert/strict";
import { harness, sawEvent } from "./harness.ts";
import { createTestClock } from "../helpers/fake_clock.ts";

const KEY = "agent:main:main";

Deno.test("watchdog: a worker that crashes mid-job is restarted; the lane is freed and the job re-queued", async () => {
  const h = await harness({ shards: 1 });
  try {
    const intake = (await import("../../src/lanes/intake.ts")).createIntake({
      inbox: h.inbox,
      scheduler: h.scheduler,
    });
    const crash = await intake.receive({
      dedupeKey: "t|a|1",
      agentId: "main",
      runId: "run_crash",
      sessionKey: KEY,
      payload: { cmd: "crash-once", text: "crashy" },
    });
    h.scheduler.submit({ sessionKey: "agent:main:other", payload: { cmd: "hold", text: "bystander" } });
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "next" } });
    await h.waitFor("re-run and next", () => h.results.filter((r) => r.turn.sessionKey === KEY).length === 2);
    const mine = h.results.filter((r) => r.turn.sessionKey === KEY);
    assert.deepEqual(mine.map((r) => [r.result.texts[0], r.result.attempt]), [["crashy", 2], ["next", 1]]);
    const ends = h.events.filter((e) => e.event === "run.end" && e.runId === "run_crash")
      .map((e) => (e.payload as { status: string }).status);
    assert.deepEqual(ends, ["requeued", "done"]);
    assert.equal(h.pool.status()[0]!.restarts, 1);
    assert.match(h.scheduler.status().shards[0]!.lastError ?? "", /crashed/);
    assert.equal((await h.inbox.get(crash.inboxId))?.state, "done");
    // The bystander on the same worker was lost too and runs again.
    await h.waitFor("bystander re-run", () => h.events.filter((e) => e.event === "started").length >= 4);
    h.scheduler.steer("agent:main:other", { release: true });
    await h.scheduler.idle();
    const bystander = h.results.find((r) => r.result.texts[0] === "bystander");
    assert.equal(bystander?.result.attempt, 2);
  } finally {
    await h.close();
  }
});

Deno.test("watchdog: re-queueing is bounded; a job that always kills its worker fails cleanly", async () => {
  const h = await harness({
    shards: 1,
    settings: { maxRequeues: 1 },
    pool: { restartBackoff: { baseMs: 10, maxMs: 50 } },
  });
  try {
    const doomed = h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "crash", text: "doomed" } });
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "after" } });
    await h.scheduler.idle();
    assert.deepEqual(h.failures.map((f) => [f.turn.runId, f.status, f.turn.attempt]), [[
      doomed.runId,
      "failed",
      2,
    ]]);
    assert.deepEqual(h.results.map((r) => r.result.texts[0]), ["after"]);
    assert.equal(h.pool.status()[0]!.restarts, 2);
  } finally {
    await h.close();
  }
});

Deno.test("watchdog: a hung worker is found by its missed heartbeats and replaced", async () => {
  const h = await harness({
    shards: 1,
    settings: { maxRequeues: 0 },
    pool: { heartbeatMs: 50, heartbeatTimeoutMs: 400 },
  });
  try {
    const hung = h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "hang", text: "stuck" } });
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "later" } });
    await h.scheduler.idle();
    assert.deepEqual(h.failures.map((f) => [f.turn.runId, f.code]), [[hung.runId, "UNAVAILABLE"]]);
    assert.match(h.pool.status()[0]!.lastError ?? "", /heartbeat/);
    assert.deepEqual(h.results.map((r) => r.result.texts[0]), ["later"]);
  } finally {
    await h.close();
  }
});

Deno.test("watchdog: a job past its timeout is aborted and its lane released", async () => {
  const h = await harness({ shards: 1 });
  try {
    const slow = h.scheduler.submit({
      sessionKey: KEY,
      payload: { cmd: "sleep", ms: 60_000, text: "slow" },
      timeoutMs: 200,
    });
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "next" } });
    await h.scheduler.idle();
    assert.deepEqual(h.failures.map((f) => [f.turn.runId, f.status, f.code]), [[
      slow.runId,
      "timeout",
      "TIMEOUT",
    ]]);
    assert.deepEqual(h.results.map((r) => r.result.texts[0]), ["next"]);
    assert.equal(h.pool.status()[0]!.restarts, 0, "the job stopped on abort; the worker stays");
  } finally {
    await h.close();
  }
});

Deno.test("watchdog: a job that ignores its abort takes its worker down after the grace period", async () => {
  // The pool's timers run on a fake clock: the job's timeout counts from its submission, so on a loaded
  // machine a real 150 ms timeout plus grace could expire while the fresh worker is still loading its
  // handler, and the job would be killed before it ever started (no "ignoring" to test).
  const clock = createTestClock();
  const h = await harness({ shards: 1, pool: { abortGraceMs: 150, clock } });
  try {
    const stubborn = h.scheduler.submit({
      sessionKey: KEY,
      payload: { cmd: "ignore-abort", ms: 60_000, text: "stubborn" },
      timeoutMs: 150,
    });
    await h.waitFor("stubborn start", () => sawEvent(h.events, "started", stubborn.runId), 60_000);
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "next" } });
    clock.tick(150); // timeout: the abort is sent, and ignored
    assert.equal(h.failures.length, 0, "the worker is given its grace period");
    clock.tick(150); // grace over: the worker is terminated and the job fails
    await h.waitFor("stubborn failure", () => h.failures.length === 1, 60_000);
    clock.tick(1); // the replacement worker starts
    await h.scheduler.idle();
    assert.deepEqual(h.failures.map((f) => [f.turn.runId, f.code]), [[stubborn.runId, "TIMEOUT"]]);
    assert.deepEqual(h.results.map((r) => r.result.texts[0]), ["next"]);
    assert.equal(h.pool.status()[0]!.restarts, 1);
  } finally {
    await h.close();
  }
});

Deno.test("shard pool: a handler module that cannot load fails jobs instead of hanging them", async () => {
  const { createShardPool } = await import("../../src/lanes/shard_pool.ts");
  const pool = createShardPool({
    handlerUrl: new URL("../fakes/lanes_missing_handler.ts", import.meta.url),
    shards: 1,
  });
  try {
    const outcome = await new Promise((resolve) => {
      pool.run(
        {
          runId: "run_x",
          sessionKey: KEY,
          lane: "main",
          messages: [{ id: "m", runId: "run_x", payload: {}, summary: "", receivedAt: 0 }],
          dropped: [],
          attempt: 1,
        },
        { onEvent: () => {}, onSettled: resolve },
      );
    });
    assert.equal((outcome as { status: string }).status, "failed");
    assert.throws(() => createShardPool({ handlerUrl: "x", shards: 0 }), RangeError);
  } finally {
    await pool.close();
  }
});

Deno.test("watchdog: a crash starts one replacement worker, not a second one beside it", async () => {
  const initLog = await Deno.makeTempFile();
  const h = await harness({ shards: 1, pool: { handlerOptions: { initLog } } });
  try {
    const crash = h.scheduler.submit({ sessionKey: KEY, payload: { cmd: "crash-once", text: "crashy" } });
    h.scheduler.submit({ sessionKey: KEY, payload: { text: "next" } });
    await h.waitFor("both done", () => h.results.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    const inits = (await Deno.readTextFile(initLog)).trim().split("\n");
    assert.equal(inits.length, 2, "the first worker and its one replacement");
    assert.equal(h.events.filter((e) => e.event === "started" && e.runId === crash.runId).length, 2);
    assert.equal(h.pool.status()[0]!.restarts, 1);
  } finally {
    await h.close();
    await Deno.remove(initLog);
  }
});
