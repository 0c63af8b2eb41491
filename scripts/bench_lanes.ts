/**
 * Lanes benchmark: drives the scheduler and shard workers with a fake job handler that answers in
 * 0 ms and in 200 ms, at 1/10/100/1000 concurrent sessions; prints turns/s, p50/p99 latency (submit →
 * result on the main thread) and peak RSS. The integrator swaps `--handler` for a module that runs real
 * agent turns against the fake provider.
 *
 *   deno run -A --unstable-worker-options scripts/bench_lanes.ts [--sessions 1,10,100,1000] [--delays 0,200]
 *     [--turns-0ms 2000] [--turns-per-session 1] [--cap 8] [--per-shard 8] [--shards N] [--handler URL] [--no-store]
 */
import { parseArgs } from "node:util";
import { createShardPool } from "../src/lanes/shard_pool.ts";
import { createScheduler, type SchedulerSettings } from "../src/lanes/scheduler.ts";
import { percentile } from "../src/lanes/wait_stats.ts";
import { openStore } from "../src/store/mod.ts";
import { createInboxRepo } from "../src/store/inbox.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "1,10,100,1000" },
    delays: { type: "string", default: "0,200" },
    "turns-0ms": { type: "string", default: "2000" },
    "turns-per-session": { type: "string", default: "1" },
    cap: { type: "string", default: "8" },
    "per-shard": { type: "string", default: "8" },
    shards: { type: "string" },
    handler: { type: "string", default: new URL("../test/fakes/lanes_handler.ts", import.meta.url).href },
    "no-store": { type: "boolean", default: false },
  },
});

const list = (s: string) => s.split(",").map((x) => Number(x.trim())).filter((n) => Number.isFinite(n));
const cap = Number(values.cap);
const perShard = Number(values["per-shard"]);

interface Row {
  delayMs: number;
  sessions: number;
  turns: number;
  seconds: number;
  turnsPerSec: number;
  p50: number;
  p99: number;
  peakRssMiB: number;
  idealSeconds: number;
}

async function runCase(delayMs: number, sessions: number): Promise<Row> {
  const turnsPerSession = delayMs === 0
    ? Math.max(1, Math.ceil(Number(values["turns-0ms"]) / sessions))
    : Number(values["turns-per-session"]);
  const store = values["no-store"] ? undefined : await openStore({ url: ":memory:" });
  const pool = createShardPool({
    handlerUrl: values.handler,
    shards: values.shards ? Number(values.shards) : undefined,
  });
  const settings: SchedulerSettings = {
    queueMode: "followup",
    debounceMs: 0,
    queueCap: Math.max(20, turnsPerSession),
    queueDrop: "old",
    runTimeoutMs: 600_000,
    maxRequeues: 2,
    lanes: {
      main: { global: cap, perShard },
      cron: { global: 1, perShard: 1 },
      subagent: { global: 1, perShard: 1 },
      heartbeat: { global: 1, perShard: 1 },
    },
  };
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  const scheduler = createScheduler({
    pool,
    settings,
    inbox: store ? createInboxRepo(store.db) : undefined,
    milestones: store?.milestones,
    hooks: {
      onResult: (turn) => {
        const t0 = submittedAt.get(turn.runId);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      },
    },
  });
  let peak = Deno.memoryUsage().rss;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 25);
  // Warm up: workers loaded and the handler imported before timing.
  for (let s = 0; s < pool.size * 4; s++) {
    scheduler.submit({ sessionKey: `warm:${s}`, payload: { cmd: "echo" } });
  }
  await scheduler.idle();
  const start = performance.now();
  for (let t = 0; t < turnsPerSession; t++) {
    for (let s = 0; s < sessions; s++) {
      const runId = `run_${s}_${t}`;
      submittedAt.set(runId, performance.now());
      scheduler.submit({
        sessionKey: `agent:bench:s${s}`,
        runId,
        payload: { cmd: "sleep", ms: delayMs, text: "hi" },
      });
    }
  }
  await scheduler.idle();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  await scheduler.close();
  store?.close();
  const sorted = latencies.sort((a, b) => a - b);
  const turns = sessions * turnsPerSession;
  return {
    delayMs,
    sessions,
    turns,
    seconds,
    turnsPerSec: turns / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    peakRssMiB: peak / 1024 / 1024,
    idealSeconds: delayMs === 0 ? 0 : (delayMs / 1000) * Math.ceil(turns / cap),
  };
}

const rows: Row[] = [];
console.log(
  `lanes bench: cap ${cap}, per-shard ${perShard}, shards ${values.shards ?? navigator.hardwareConcurrency}`,
);
console.log("delay  sessions   turns   secs  turns/s   p50 ms   p99 ms  ideal s  peak RSS MiB");
for (const delayMs of list(values.delays)) {
  for (const sessions of list(values.sessions)) {
    const r = await runCase(delayMs, sessions);
    rows.push(r);
    console.log(
      [
        `${r.delayMs}ms`.padStart(5),
        String(r.sessions).padStart(9),
        String(r.turns).padStart(7),
        r.seconds.toFixed(2).padStart(6),
        r.turnsPerSec.toFixed(0).padStart(8),
        r.p50.toFixed(1).padStart(8),
        r.p99.toFixed(1).padStart(8),
        r.idealSeconds.toFixed(1).padStart(8),
        r.peakRssMiB.toFixed(0).padStart(13),
      ].join(" "),
    );
  }
}
if (Deno.env.get("BENCH_JSON")) console.log(JSON.stringify(rows));
