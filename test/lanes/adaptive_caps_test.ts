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
  for (let i = 0; i < 10; i++) caps.observe(0, 1000, 300);
  assert.equal(caps.cap(0), 4, "a busy worker halves down to min");
  assert.equal(caps.cap(1), 64, "shards adapt independently");
  assert.equal(createAdaptiveCaps({ shards: 1, max: 8 }).cap(0), 8, "initial never above max");
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
  assert.equal(caps.cap(1, 0), 2, "each lane within its own configured cap");
  const noHealth = poolAdaptiveCaps({ size: 1 }, [1000]);
  noHealth.refresh(() => 64);
  assert.equal(noHealth.cap(0, 0), 64);
});

Deno.test("scheduler: a burst starts at most the adaptive cap on a shard; heartbeats of an idle worker raise it", async () => {
  const h = await harness({
    shards: 1,
    settings: {
      lanes: {
        main: { global: 1000, perShard: 1000 },
        cron: { global: 2, perShard: 2 },
        subagent: { global: 4, perShard: 4 },
        heartbeat: { global: 1, perShard: 1 },
      },
    },
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
