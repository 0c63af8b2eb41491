/**
 * End-to-end lanes benchmark: real agent turns through the whole pipeline — POST /v1/chat/completions →
 * durable inbox → scheduler → shard workers → agent runtime → fake OpenAI provider (on 127.0.0.1) →
 * reply — for 1, 10, 100 and 1,000 concurrent sessions, with the provider answering in 0 ms and in 200 ms.
 * Reports turns/s, p50/p99 latency and the gateway process's peak RSS (shard workers are threads of it).
 *
 *   deno run -A --unstable-worker-options scripts/bench_pipeline.ts [--sessions 1,10,100,1000] [--delays 0,200]
 *     [--turns 1000] [--warmup 200] [--cap 8] [--via http|ws] [--shards n]
 * Diagnostics: BENCH_STDERR=1 shows the gateway's log; BENCH_SMAPS=1 prints where the peak RSS lives
 * (/proc/<pid>/smaps by mapping); BENCH_V8_FLAGS adds V8 flags.
 * Targets: ≥ 500 turns/s with 10 sessions at 0 ms; at 200 ms, 1,000 sessions take ≈ 200 ms × 1000 ÷ cap;
 * peak RSS ≤ 150 MiB at 1,000 sessions.
 */
import { parseArgs } from "node:util";
import { createFakeOpenAI } from "../test/fakes/fake_openai.ts";
import { connectGateway } from "../src/gateway/client.ts";
import { sendV1Turn } from "../test/helpers/process.ts";
import { GATEWAY_FLAGS } from "../src/core/runtime_flags.ts";

export interface PipelineResult {
  sessions: number;
  delayMs: number;
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number;
  /** CPU time (user + system, all threads) the gateway process spent per turn: steadier than turns/s on a shared machine. */
  cpuMsPerTurn: number;
  idealSeconds?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * One scenario on a fresh gateway process (so its RSS is the gateway's alone; the load generator and the
 * fake provider live in this process): `sessions` sessions sending `turns` turns in total, concurrently.
 */
export async function runScenario(
  o: {
    sessions: number;
    delayMs: number;
    turns: number;
    cap: number;
    shards?: number;
    via?: "http" | "ws";
    /** Turns run before timing at 0 ms (default 200; with a provider delay, 4: one per worker start). */
    warmup?: number;
  },
): Promise<PipelineResult> {
  const provider = createFakeOpenAI({ fallback: { text: "ok", delayMs: o.delayMs } });
  const home = await Deno.makeTempDir({ prefix: "talon-bench-" });
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({
      gateway: { port: 0 },
      logging: { console: !!Deno.env.get("BENCH_STDERR"), file: false },
      providers: { fake: { api: "openai-chat", baseUrl: provider.url, apiKey: "bench" } },
      agents: {
        defaults: { model: { primary: "fake/bench" } },
        maxConcurrent: o.cap,
        perShardConcurrent: o.cap,
        ...(o.shards ? { shards: o.shards } : {}),
      },
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-worker-options",
      ...GATEWAY_FLAGS,
      ...v8Flags(),
      MAIN,
      "gateway",
    ],
    env: { TALON_HOME: home, TALON_PORT: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: Deno.env.get("BENCH_STDERR") ? "inherit" : "null",
  }).spawn();
  try {
    const url = await listeningUrl(child.stdout);
    const token = (await Deno.readTextFile(`${home}/credentials/gateway-token`)).trim();
    let peak = rssOf(child.pid);
    let peakMaps = "";
    const sampler = setInterval(() => {
      const r = rssOf(child.pid);
      if (r > peak && Deno.env.get("BENCH_SMAPS")) peakMaps = smapsSummary(child.pid);
      peak = Math.max(peak, r);
    }, 25);
    const latencies: number[] = [];
    const perSession = Math.max(1, Math.round(o.turns / o.sessions));
    // One WebSocket carries every session (as a chat platform's single connection would), or one HTTP
    // request per turn.
    const ws = o.via === "ws"
      ? await connectGateway({ url: url.replace(/^http/, "ws") + "/ws", token, timeoutMs: 600_000 })
      : undefined;
    const turn = async (session: number) => {
      const t0 = performance.now();
      if (ws) {
        const r = await ws.request<{ status: string }>(
          "agent",
          { message: `hello ${session}`, sessionKey: `agent:main:bench:${session}` },
          { onAck: () => {}, timeoutMs: 600_000 },
        );
        if (r.status !== "ok") throw new Error(`turn failed: ${JSON.stringify(r)}`);
        latencies.push(performance.now() - t0);
        return;
      }
      await sendV1Turn({ url, token }, `agent:main:bench:${session}`, `hello ${session}`);
      latencies.push(performance.now() - t0);
    };
    // Warm up before timing: the shard workers start on first use, and the JIT needs some turns to
    // reach steady state (a cold gateway spends ~20% more CPU per turn over its first thousand turns).
    // With a slow provider only the workers need starting; the time is the provider's anyway.
    const warmup = o.delayMs > 0 ? 4 : o.warmup ?? 200;
    await Promise.all(Array.from({ length: 4 }, async (_, i) => {
      for (let t = 0; t < Math.ceil(warmup / 4); t++) await turn(-1 - i);
    }));
    latencies.length = 0;
    const cpuBefore = cpuMsOf(child.pid);
    const started = performance.now();
    await Promise.all(Array.from({ length: o.sessions }, async (_, s) => {
      for (let t = 0; t < perSession; t++) await turn(s);
    }));
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpuMsOf(child.pid) - cpuBefore;
    clearInterval(sampler);
    if (peakMaps) console.error(peakMaps);
    await ws?.close();
    peak = Math.max(peak, rssOf(child.pid));
    const sorted = [...latencies].sort((a, b) => a - b);
    const turns = latencies.length;
    return {
      sessions: o.sessions,
      delayMs: o.delayMs,
      turns,
      seconds,
      turnsPerSecond: turns / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      peakRssMiB: peak,
      cpuMsPerTurn: cpuMs / Math.max(1, latencies.length),
      ...(o.delayMs > 0 ? { idealSeconds: (o.delayMs / 1000) * Math.ceil(turns / o.cap) } : {}),
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await provider.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

async function listeningUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`gateway exited before listening:\n${text}`);
    text += value;
    const m = /listening on (http:\/\/[^\s]+)/.exec(text);
    if (m) {
      // Keep draining so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
      return m[1]!;
    }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sessions: { type: "string", default: "1,10,100,1000" },
      delays: { type: "string", default: "0,200" },
      turns: { type: "string", default: "1000" },
      warmup: { type: "string", default: "200" },
      cap: { type: "string", default: "8" },
      via: { type: "string", default: "http" },
      shards: { type: "string" },
    },
  });
  const cap = Number(values.cap);
  console.log(
    `| provider | sessions | turns | seconds | turns/s | p50 ms | p99 ms | peak RSS MiB | ideal s | gateway CPU ms/turn |`,
  );
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  for (const delayMs of values.delays!.split(",").map(Number)) {
    for (const sessions of values.sessions!.split(",").map(Number)) {
      // With a slow provider every session sends one turn; at 0 ms the total is fixed.
      const turns = delayMs > 0 ? sessions : Number(values.turns);
      const r = await runScenario({
        sessions,
        delayMs,
        turns,
        cap,
        via: values.via === "ws" ? "ws" : "http",
        ...(values.shards ? { shards: Number(values.shards) } : {}),
        warmup: Number(values.warmup),
      });
      console.log(
        `| ${delayMs} ms | ${sessions} | ${r.turns} | ${r.seconds.toFixed(2)} | ${
          r.turnsPerSecond.toFixed(0)
        } | ` +
          `${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${
            r.idealSeconds?.toFixed(1) ?? "–"
          } | ${r.cpuMsPerTurn.toFixed(2)} |`,
      );
    }
  }
}

/** Extra V8 flags for the gateway process, e.g. BENCH_V8_FLAGS=--max-semi-space-size=1 (experiments). */
function v8Flags(): string[] {
  const flags = Deno.env.get("BENCH_V8_FLAGS");
  return flags ? [`--v8-flags=${flags}`] : [];
}

function smapsSummary(pid: number): string {
  const sm = Deno.readTextFileSync(`/proc/${pid}/smaps`);
  const agg = new Map<string, number>();
  let cur = "";
  for (const line of sm.split("\n")) {
    const h = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (h) {
      cur = (h[3] || "[anon]").split("/").pop()!;
      continue;
    }
    const r = /^Rss:\s+(\d+)/.exec(line);
    if (r) agg.set(cur, (agg.get(cur) ?? 0) + Number(r[1]));
  }
  const st = Deno.readTextFileSync(`/proc/${pid}/status`);
  return [...agg].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}=${(v / 1024).toFixed(1)}`)
    .join(" ") + " threads=" + /Threads:\s+(\d+)/.exec(st)![1];
}
