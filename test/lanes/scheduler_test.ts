import assert from "node:assert/strict";
import { harness, sawEvent } from "./harness.ts";
import { createLogger, memorySink } from "../../src/core/logger.ts";

Deno.test("scheduler: messages of one session run one at a time, in order, while others run in parallel", async () => {
  const h = await harness();
  try {
    const sessions = ["agent:main:a", "agent:main:b", "agent:main:c"];
    for (let i = 0; i < 4; i++) {
      for (const key of sessions) {
        h.scheduler.submit({ sessionKey: key, payload: { cmd: "sleep", ms: 15, text: `${key}#${i}` } });
      }
    }
    await h.scheduler.idle();
    assert.equal(h.results.length, 12);
    for (const key of sessions) {
      const mine = h.results.filter((r) => r.turn.sessionKey === key).map((r) => r.result.texts[0]);
      assert.deepEqual(mine, [0, 1, 2, 3].map((i) => `${key}#${i}`));
      // Serial: each run starts only after the previous run of the session ended.
      const seq = h.events.filter((e) =>
        e.sessionKey === key && (e.event === "run.start" || e.event === "run.end")
      )
        .map((e) => e.event);
      assert.deepEqual(seq, Array(4).fill(["run.start", "run.end"]).flat());
    }
    const status = h.scheduler.status();
    assert.equal(status.totals.done, 12);
    assert.equal(status.sessions.active, 0);
  } finally {
    await h.close();
  }
});

Deno.test("scheduler: a slow session does not delay sessions on another shard", async () => {
  const h = await harness({
    settings: {
      lanes: {
        main: { global: 8, perShard: 1 },
        cron: { global: 1, perShard: 1 },
        subagent: { global: 1, perShard: 1 },
        heartbeat: { global: 1, perShard: 1 },
      },
    },
  });
  try {
    const [slow] = h.keysOn(0, 1, "slow");
    const [fast] = h.keysOn(1, 1, "fast");
    const held = h.scheduler.submit({ sessionKey: slow!, payload: { cmd: "hold", text: "slow" } });
    await h.waitFor("slow run to start", () => sawEvent(h.events, "started", held.runId));
    for (let i = 0; i < 5; i++) {
      h.scheduler.submit({ sessionKey: fast!, payload: { cmd: "echo", text: `f${i}` } });
    }
    await h.waitFor("fast session to finish", () => h.results.length === 5);
    assert.deepEqual(h.results.map((r) => r.result.texts[0]), ["f0", "f1", "f2", "f3", "f4"]);
    assert.equal(h.scheduler.activeRun(slow!), held.runId, "the slow run is still going");
    // The per-shard cap is 1: a second session on the slow shard waits, visible as queue depth.
    const [other] = h.keysOn(0, 1, "other");
    h.scheduler.submit({ sessionKey: other!, payload: { cmd: "echo", text: "waits" } });
    const depth = h.scheduler.status().shards.find((s) => s.shard === 0)!.queueDepth;
    assert.equal(depth, 1);
    assert.ok(h.scheduler.steer(slow!, { release: true }));
    await h.scheduler.idle();
    assert.deepEqual(h.results.slice(5).map((r) => r.result.texts[0]), ["slow", "waits"]);
  } finally {
    await h.close();
  }
});

Deno.test("scheduler: background lanes have their own caps and never block replies", async () => {
  const h = await harness({
    settings: {
      lanes: {
        main: { global: 1, perShard: 1 },
        cron: { global: 1, perShard: 1 },
        subagent: { global: 1, perShard: 1 },
        heartbeat: { global: 1, perShard: 1 },
      },
    },
  });
  try {
    const cron = h.scheduler.submit({
      sessionKey: "cron:nightly",
      lane: "cron",
      payload: { cmd: "hold", text: "cron" },
    });
    await h.waitFor("cron run", () => sawEvent(h.events, "started", cron.runId));
    const cron2 = h.scheduler.submit({
      sessionKey: "cron:hourly",
      lane: "cron",
      payload: { cmd: "echo", text: "cron2" },
    });
    const reply = h.scheduler.submit({
      sessionKey: "agent:main:main",
      payload: { cmd: "echo", text: "reply" },
    });
    await h.waitFor("reply", () => h.results.some((r) => r.turn.runId === reply.runId));
    assert.equal(
      h.results.some((r) => r.turn.runId === cron2.runId),
      false,
      "cron lane cap 1 holds cron2 back",
    );
    assert.equal(h.scheduler.status().lanes.cron.active, 1);
    h.scheduler.steer("cron:nightly", { release: true });
    await h.scheduler.idle();
    assert.ok(h.results.some((r) => r.turn.runId === cron2.runId && r.turn.lane === "cron"));
  } finally {
    await h.close();
  }
});

Deno.test("scheduler: rejects bad requests", async () => {
  const h = await harness({ shards: 1 });
  try {
    assert.throws(() => h.scheduler.submit({ sessionKey: "", payload: 1 }), TypeError);
    assert.throws(
      () => h.scheduler.submit({ sessionKey: "k", payload: 1, lane: "nope" as never }),
      RangeError,
    );
    assert.throws(
      () => h.scheduler.submit({ sessionKey: "k", payload: 1, mode: "later" as never }),
      RangeError,
    );
    assert.throws(() => h.scheduler.setSessionMode("k", "later" as never), RangeError);
    assert.equal(h.scheduler.abort("nobody"), false);
    assert.equal(h.scheduler.steer("nobody", {}), false);
  } finally {
    await h.close();
  }
});

Deno.test("scheduler log: a turn that ends well writes no info line (the worker logs runs); a failure does", async () => {
  const sink = memorySink();
  const h = await harness({ shards: 1, logger: createLogger({ level: "info", sinks: [sink] }) });
  try {
    h.scheduler.submit({ sessionKey: "agent:main:ok", payload: { cmd: "sleep", ms: 0, text: "fine" } });
    h.scheduler.submit({ sessionKey: "agent:main:bad", payload: { cmd: "fail", text: "boom" } });
    await h.waitFor("both turns", () => h.results.length === 1 && h.failures.length === 1);
    await h.scheduler.idle();
    const lines = sink.records.map((r) => `${r.level} ${r.msg} ${r.sessionKey}`);
    assert.deepEqual(lines, ["info run.end agent:main:bad"]);
  } finally {
    await h.close();
  }
});
