import assert from "node:assert/strict";
import { harness } from "./harness.ts";
import { createLanesStatusMethod, lanesMetrics } from "../../src/lanes/status.ts";
import { createWaitStats, percentile } from "../../src/lanes/wait_stats.ts";
import type { MethodContext } from "../../src/gateway/methods/registry.ts";

Deno.test("lanes.status and /metrics lines show depth, active runs, restarts and waits", async () => {
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
    const [k] = h.keysOn(0, 1);
    h.scheduler.submit({ sessionKey: k!, payload: { cmd: "hold", text: "a" } });
    h.scheduler.submit({ sessionKey: k!, payload: { text: "b" } });
    h.scheduler.submit({ sessionKey: k!, payload: { text: "c" } });
    const method = createLanesStatusMethod(h.scheduler);
    assert.equal(method.name, "lanes.status");
    assert.equal(method.scope, "read");
    const status = await method.handler(method.params.parse(undefined), {} as MethodContext) as ReturnType<
      typeof h.scheduler.status
    >;
    assert.deepEqual(status.shards.map((s) => [s.shard, s.queueDepth, s.active]), [[0, 2, 1], [1, 0, 0]]);
    assert.equal(status.lanes.main.active, 1);
    const text = lanesMetrics(status);
    assert.match(text, /^talon_lanes_queue_depth\{shard="0"\} 2$/m);
    assert.match(text, /^talon_lanes_active_runs\{shard="0"\} 1$/m);
    assert.match(text, /^talon_lanes_worker_restarts_total\{shard="1"\} 0$/m);
    assert.match(text, /^talon_lanes_queue_wait_ms_count 1$/m);
    assert.match(text, /^# TYPE talon_lanes_queue_wait_ms histogram$/m);
    h.scheduler.steer(k!, { release: true });
    await h.scheduler.idle();
    const after = lanesMetrics(h.scheduler.status());
    assert.match(after, /^talon_lanes_queue_wait_ms_count 3$/m);
    assert.match(after, /^talon_lanes_runs_total\{outcome="done"\} 3$/m);
    assert.match(after, /^talon_lanes_queue_wait_ms_bucket\{le="\+Inf"\} 3$/m);
  } finally {
    await h.close();
  }
});

Deno.test("wait stats: histogram buckets are cumulative and percentiles use recent samples", () => {
  const w = createWaitStats(100);
  for (let i = 1; i <= 100; i++) w.record(i);
  const s = w.summary();
  assert.equal(s.count, 100);
  assert.equal(s.p50Ms, 50);
  assert.equal(s.p99Ms, 99);
  assert.equal(s.buckets.find((b) => b.le === 10)?.count, 10);
  assert.equal(s.buckets.at(-1)?.count, 100);
  assert.equal(percentile([], 0.5), 0);
  w.record(-5);
  assert.equal(w.summary().buckets[0]!.count, 2, "negative waits count as 0");
});
