import assert from "node:assert/strict";
import { createAdaptiveCaps, poolAdaptiveCaps } from "../../src/lanes/adaptive_caps.ts";
import { harness } from "./harness.ts";

Deno.test("adaptive caps: start low, double while fast and full, halve when slow, within [min, max]", () => {
  const caps = createAdaptiveCaps({ shards: 2, max: 300, initial: 64, min: 4 });
  assert.equal(caps.cap(0), 64);
  caps.observe(0, 10, 10);
  assert.equal(caps.cap(0), 64, "not full: no reason to grow");
  caps.observe(0, 10, 64);
  caps.observe(0, 10, 128);
  assert.equal(caps.cap(0), 256);
  caps.observe(0, 10, 256);
  assert.equal(caps.cap(0), 300, "never above the configured cap");
  caps.observe(0, 100, 300);
  assert.equal(caps.cap(0), 300, "between the thresholds: unchanged");
  for (let i = 0; i < 20; i++) caps.observe(0, 500, 300);
  assert.equal(caps.cap(0), 4, "a busy worker halves down to min");
  assert.equal(caps.cap(1), 64, "shards adapt independently");
  assert.equal(createAdaptiveCaps({ shards: 1, max: 8 }).cap(0), 8, "initial never above max");
});

Deno.test("adaptive caps: a run held back since the last measurement makes the shard full", () => {
  const caps = createAdaptiveCaps({ shards: 2, max: 1000, initial: 64 });
  // A run finished just before the measurement: one slot is free, yet the cap turned runs away.
  caps.observe(0, 5, 63);
  assert.equal(caps.cap(0), 64, "one slot free and nothing held: not full");
  caps.held(0);
  caps.observe(0, 5, 63);
  assert.equal(caps.cap(0), 128, "held back since the last measurement: grows");
  caps.observe(0, 5, 100);
  assert.equal(caps.cap(0), 128, "the hold counts for one measurement only");
  caps.held(0);
  caps.observe(0, 100, 100);
  caps.observe(0, 5, 100);
  assert.equal(caps.cap(0), 128, "held, but the delay was not low then; not held since");
  caps.held(5);
  assert.equal(caps.cap(1), 64, "an unknown shard is ignored, the others untouched");
});

Deno.test("adaptive caps: one slow heartbeat is not enough to halve; two in a row or a very slow one are", () => {
  const caps = createAdaptiveCaps({ shards: 1, max: 1000, initial: 512, highDelayMs: 250 });
  caps.observe(0, 400, 512);
  assert.equal(caps.cap(0), 512, "a single slow heartbeat (a GC pause, a round ending together)");
  caps.observe(0, 100, 512);
  caps.observe(0, 400, 512);
  assert.equal(caps.cap(0), 512, "slow, fast, slow: never two in a row");
  caps.observe(0, 300, 512);
  assert.equal(caps.cap(0), 256, "two slow in a row halve");
  caps.observe(0, 300, 256);
  assert.equal(caps.cap(0), 128, "and again while it stays slow");
  caps.observe(0, 10, 0);
  caps.observe(0, 1001, 128);
  assert.equal(caps.cap(0), 64, "over four times the threshold: at once");
});

Deno.test("adaptive caps from a pool: only new heartbeat samples count", () => {
  let health = { delayMs: 5, samples: 0 };
  const caps = poolAdaptiveCaps({ size: 1, health: () => health }, [1000, 2]);
  caps.refresh(() => 64);
  assert.equal(caps.cap(0, 0), 64, "no sample yet");
  health = { delayMs: 5, samples: 1 };
  caps.refresh((lane) => (lane === 0 ? 64 : 0));
  caps.refresh(() => 128);
  assert.equal(caps.cap(0, 0), 128, "one sample, one step");
  caps.held(0, 0);
  health = { delayMs: 5, samples: 2 };
  caps.refresh(() => 10);
  assert.equal(caps.cap(0, 0), 256, "a hold reported for a lane counts at its next sample");
  assert.equal(caps.cap(1, 0), 2);
  assert.equal(caps.cap(1, 0), 2, "each lane within its own configured cap");
  const noHealth = poolAdaptiveCaps({ size: 1 }, [1000]);
  noHealth.refresh(() => 64);
  assert.equal(noHealth.cap(0, 0), 64);
});

/** A main lane whose configured cap (1,000) is far above the adaptive one, so the adaptive cap decides. */
const WIDE_MAIN_LANE = {
  lanes: {
    main: { global: 1000, perShard: 1000 },
    cron: { global: 2, perShard: 2 },
    subagent: { global: 4, perShard: 4 },
    heartbeat: { global: 1, perShard: 1 },
  },
};

Deno.test("scheduler: a burst starts at most the adaptive cap on a shard; heartbeats of an idle worker raise it", async () => {
  const h = await harness({
    shards: 1,
    settings: WIDE_MAIN_LANE,
  });
  try {
    const runs = Array.from(
      { length: 100 },
      (_, i) =>
        h.scheduler.submit({ sessionKey: `agent:main:burst${i}`, payload: { cmd: "hold", text: `b${i}` } }),
    );
    assert.equal(h.scheduler.status().shards[0]!.active, 64, "the first 64 start, the rest wait");
    assert.equal(h.scheduler.status().sessions.waiting, 36);
    assert.ok(h.pool.health(0).samples >= 0);
    // The held jobs cost the worker nothing: its heartbeats come back fast and the cap doubles.
    await h.waitFor("all 100 running", () => h.scheduler.status().shards[0]!.active === 100);
    assert.ok(h.pool.health(0).samples > 0 && h.pool.health(0).delayMs < 250);
    for (let i = 0; i < runs.length; i++) h.scheduler.steer(`agent:main:burst${i}`, { release: true });
    await h.waitFor("every run done", () => h.results.length === 100);
  } finally {
    await h.close();
  }
});

Deno.test("scheduler: a shard held at its adaptive cap is probed, so the cap grows before the next heartbeat", async () => {
  // Heartbeats a minute apart: only the scheduler's probes can measure the worker within this test.
  const h = await harness({
    shards: 1,
    pool: { heartbeatMs: 60_000, heartbeatTimeoutMs: 300_000 },
    settings: WIDE_MAIN_LANE,
  });
  try {
    await h.waitFor("the worker ready", () => h.pool.status()[0]!.ready);
    for (let i = 0; i < 200; i++) {
      h.scheduler.submit({ sessionKey: `agent:main:probe${i}`, payload: { cmd: "hold", text: `p${i}` } });
    }
    assert.equal(h.scheduler.status().shards[0]!.active, 64, "the burst starts at the initial cap");
    await h.waitFor("all 200 running", () => h.scheduler.status().shards[0]!.active === 200, 20_000);
    assert.ok(h.pool.health(0).samples >= 2, "the growth came from measurements (probes)");
    for (let i = 0; i < 200; i++) h.scheduler.steer(`agent:main:probe${i}`, { release: true });
    await h.waitFor("every run done", () => h.results.length === 200);
  } finally {
    await h.close();
  }
});

Deno.test("shard pool: probe measures a ready worker once per answer; unknown shards are ignored", async () => {
  const h = await harness({ shards: 1, pool: { heartbeatMs: 60_000, heartbeatTimeoutMs: 300_000 } });
  try {
    await h.waitFor("the worker ready", () => h.pool.status()[0]!.ready);
    assert.equal(h.pool.health(0).samples, 0, "no heartbeat within the test");
    h.pool.probe(0);
    h.pool.probe(0);
    h.pool.probe(7);
    await h.waitFor("the probe answered", () => h.pool.health(0).samples >= 1);
    assert.equal(h.pool.health(0).samples, 1, "a second probe while one was unanswered sent nothing");
    h.pool.probe(0);
    await h.waitFor("the next probe answered", () => h.pool.health(0).samples === 2);
  } finally {
    await h.close();
  }
});
