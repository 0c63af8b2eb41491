/**
 * Soak test: a real `talon gateway` process under steady load (turns through /v1/chat/completions over a
 * set of sessions, fake OpenAI provider on loopback) for a fixed time, sampling the RSS of the gateway's
 * process tree. Reports the RSS trend (least-squares slope over the time after warm-up, and over the
 * second half), latencies, errors and the number of sessions seen.
 *
 *   deno run -A --unstable-worker-options scripts/soak.ts [--minutes 10] [--rate 20] [--sessions 20]
 *     [--new-sessions K] [--delay-ms 0] [--sample-seconds 10] [--max-growth-mib-per-min N] [--json] [--heaps]
 * `--new-sessions K`: every session slot moves to a new session after K turns (1: every turn is a new
 * session), so memory kept per session seen shows as a slope. `--delay-ms`: provider latency.
 * Exit 1 when a turn failed, or when --max-growth-mib-per-min is given and the second-half trend exceeds it.
 */
import { parseArgs } from "node:util";
import { createFakeOpenAI } from "../test/fakes/fake_openai.ts";
import { spawnProviderGateway } from "../test/helpers/process.ts";
import { percentile } from "../src/lanes/wait_stats.ts";
import { statusMiB, treeRssMiB } from "./proc_stats.ts";
import { freePort } from "../test/helpers/ports.ts";
import { type Inspector, inspector } from "./profile_pipeline.ts";

/** Live heap (after a full GC) of the main thread and each attached worker, MiB. */
async function liveHeaps(insp: Inspector): Promise<number[]> {
  const out: number[] = [];
  for (const sid of [undefined, ...insp.workers]) {
    await insp.send("HeapProfiler.collectGarbage", {}, sid);
    const h = await insp.send("Runtime.getHeapUsage", {}, sid) as { usedSize: number };
    out.push(h.usedSize / 1048576);
  }
  return out;
}

export interface SoakOptions {
  durationMs: number;
  /** Turns started per second. */
  rate: number;
  sessions: number;
  /** Every session slot moves to a new session after this many turns (default: never). */
  newSessionEvery?: number;
  /** Provider latency, ms (default 0). */
  delayMs?: number;
  sampleMs: number;
  /**
   * Also sample each thread's live V8 heap (after a forced full GC, through the inspector): tells a
   * JavaScript leak from native growth. The GCs themselves change the figures a little; a diagnosis mode.
   */
  heaps?: boolean;
  /** Fraction of the run treated as warm-up and left out of the trend (default 0.2). */
  warmupFraction?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  turns: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p99Ms: number;
  /** [seconds since start, RSS MiB]. */
  samples: Array<[number, number]>;
  startRssMiB: number;
  endRssMiB: number;
  peakRssMiB: number;
  /** Least-squares slope of RSS after warm-up, MiB per minute. */
  trendMiBPerMin: number;
  /** The same over the second half of the run. */
  secondHalfMiBPerMin: number;
  sessionsSeen: number;
  /** With `heaps`: [seconds, live heap MiB of the main thread, then of each shard worker]. */
  heapSamples?: Array<[number, ...number[]]>;
  /** With `heaps`: least-squares slope of the summed live heaps after warm-up, MiB per minute. */
  heapTrendMiBPerMin?: number;
}

/** RSS of the gateway's process tree, MiB; throws when the gateway is gone. */
function rssMiB(pid: number): number {
  const rss = treeRssMiB(pid);
  if (rss === 0) throw new Error(`the gateway process ${pid} is gone`);
  return rss;
}

/** Session slot `n % sessions`, renamed every `every` turns of that slot. */
export function sessionOf(n: number, sessions: number, every?: number): string {
  const slot = n % sessions;
  return every ? `soak-${slot}-${Math.floor(n / sessions / every)}` : `soak-${slot}`;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Runs the soak and returns its figures. */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => {});
  const provider = createFakeOpenAI({ fallback: { text: "steady as she goes", delayMs: o.delayMs ?? 0 } });
  try {
    const inspectPort = o.heaps ? freePort() : 0;
    await using gw = await spawnProviderGateway({
      providerUrl: provider.url,
      model: "gpt-soak",
      prefix: "talon-soak-",
      runFlags: o.heaps ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
    });
    const insp = o.heaps ? await inspector(inspectPort) : undefined;
    await insp?.send("Target.setAutoAttach", {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: true,
    });
    const heapSamples: Array<[number, ...number[]]> = [];
    const { token } = gw;
    const url = `${gw.url}/v1/chat/completions`;
    const pid = gw.child.pid;
    let exited: Deno.CommandStatus | undefined;
    gw.child.status.then((st) => exited = st);
    const alive = () => {
      if (exited) {
        throw new Error(
          `the gateway exited (code ${exited.code}, signal ${exited.signal}) during the soak; output:\n${
            gw.output().slice(-2000)
          }`,
        );
      }
    };
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let turns = 0;
    const inflight = new Set<Promise<void>>();
    const turn = async (n: number) => {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: "talon/main",
            user: sessionOf(n, o.sessions, o.newSessionEvery),
            messages: [{ role: "user", content: `turn ${n}` }],
          }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    };
    const start = performance.now();
    const samples: Array<[number, number]> = [[0, rssMiB(pid)]];
    let nextSample = o.sampleMs;
    const interval = 1000 / o.rate;
    while (performance.now() - start < o.durationMs) {
      const p = turn(turns++).finally(() => inflight.delete(p));
      inflight.add(p);
      const elapsed = performance.now() - start;
      if (elapsed >= nextSample) {
        alive();
        const rss = rssMiB(pid);
        samples.push([elapsed / 1000, rss]);
        let heaps = "";
        if (insp) {
          const h = await liveHeaps(insp);
          heapSamples.push([elapsed / 1000, ...h]);
          heaps = `, live heaps ${h.map((x) => x.toFixed(1)).join(" / ")} MiB`;
        }
        log(
          `${(elapsed / 1000).toFixed(0)} s: RSS ${
            rss.toFixed(1)
          } MiB, ${turns} turns, ${errors} errors${heaps}`,
        );
        nextSample += o.sampleMs;
      }
      // Steady pacing: the next turn starts at its slot, whatever the previous ones are doing.
      const wait = turns * interval - (performance.now() - start);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(inflight);
    samples.push([(performance.now() - start) / 1000, rssMiB(pid)]);
    const peak = statusMiB(pid, "VmHWM");
    const cut = (o.durationMs / 1000) * (o.warmupFraction ?? 0.2);
    const sorted = latencies.sort((a, b) => a - b);
    insp?.close();
    const heapSum = heapSamples.filter(([t]) => t >= cut).map(([t, ...h]) =>
      [t, h.reduce((a, b) => a + b, 0)] as [number, number]
    );
    return {
      turns,
      errors,
      firstError,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      samples,
      startRssMiB: samples[0]![1],
      endRssMiB: samples[samples.length - 1]![1],
      peakRssMiB: peak,
      trendMiBPerMin: slope(samples.filter(([t]) => t >= cut)) * 60,
      secondHalfMiBPerMin: slope(samples.filter(([t]) => t >= o.durationMs / 2000)) * 60,
      sessionsSeen: new Set(Array.from({ length: turns }, (_, n) =>
        sessionOf(n, o.sessions, o.newSessionEvery)))
        .size,
      ...(insp ? { heapSamples, heapTrendMiBPerMin: slope(heapSum) * 60 } : {}),
    };
  } finally {
    await provider.close();
  }
}

/** Issue 19's memory target: second-half slope ≤ 0.5 MiB/min with 10,000 sessions seen, no errors. */
export function soakTarget(r: Pick<SoakResult, "secondHalfMiBPerMin" | "sessionsSeen" | "errors">): string {
  const slope = `${r.secondHalfMiBPerMin >= 0 ? "+" : ""}${r.secondHalfMiBPerMin.toFixed(2)} MiB/min`;
  const figure = `2nd-half slope ${slope} over ${r.sessionsSeen} sessions, ${r.errors} errors`;
  if (r.sessionsSeen < 10_000) {
    return `memory target (≤ 0.5 MiB/min, ≥ 10,000 sessions): ${figure}: not checked`;
  }
  const pass = r.secondHalfMiBPerMin <= 0.5 && r.errors === 0;
  return `memory target (≤ 0.5 MiB/min, ≥ 10,000 sessions): ${figure}: ${pass ? "PASS" : "FAIL"}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      minutes: { type: "string", default: "10" },
      rate: { type: "string", default: "20" },
      sessions: { type: "string", default: "20" },
      "new-sessions": { type: "string" },
      "delay-ms": { type: "string", default: "0" },
      "sample-seconds": { type: "string", default: "10" },
      "max-growth-mib-per-min": { type: "string" },
      json: { type: "boolean", default: false },
      heaps: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "deno run -A --unstable-worker-options scripts/soak.ts [--minutes 10] [--rate 20] [--sessions 20]\n" +
        "  [--new-sessions K] [--delay-ms 0] [--sample-seconds 10] [--max-growth-mib-per-min N] [--json]\n" +
        "  [--heaps]   (also each thread's live V8 heap after a full GC, through the inspector)\n" +
        "issue 19's memory target: --minutes 6 --rate 30 --new-sessions 1 --delay-ms 200 (10,800 sessions)",
    );
    Deno.exit(0);
  }
  const loadAtStart = Deno.loadavg();
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  if (!(minutes > 0) || !(rate > 0)) throw new RangeError("--minutes and --rate take positive numbers");
  const every = values["new-sessions"] === undefined ? undefined : Number(values["new-sessions"]);
  if (every !== undefined && !(every >= 1)) throw new RangeError("--new-sessions takes a number ≥ 1");
  console.error(
    `soak: ${minutes} min at ${rate} turns/s over ${values.sessions} sessions${
      every ? `, each replaced by a new one every ${every} turns` : ""
    }`,
  );
  const r = await soak({
    durationMs: minutes * 60_000,
    rate,
    sessions: Number(values.sessions),
    newSessionEvery: every,
    delayMs: Number(values["delay-ms"]),
    sampleMs: Number(values["sample-seconds"]) * 1000,
    heaps: values.heaps,
    log: (l) => console.error(l),
  });
  if (values.json) console.log(JSON.stringify(r));
  else {
    const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)} MiB/min`;
    console.log(
      `| turns | sessions seen | errors | p50 / p99 | RSS start → end | peak RSS (main) | trend after warm-up | trend 2nd half |`,
    );
    console.log(`|---|---|---|---|---|---|---|---|`);
    console.log(
      `| ${r.turns} | ${r.sessionsSeen} | ${r.errors} | ${r.p50Ms.toFixed(1)} / ${r.p99Ms.toFixed(1)} ms | ${
        r.startRssMiB.toFixed(1)
      } → ${r.endRssMiB.toFixed(1)} MiB | ${r.peakRssMiB.toFixed(1)} MiB | ${signed(r.trendMiBPerMin)} | ${
        signed(r.secondHalfMiBPerMin)
      } |`,
    );
    if (r.firstError) console.log(`first error: ${r.firstError}`);
    const avg = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
    console.log(`load average ${avg(loadAtStart)} at the start, ${avg(Deno.loadavg())} at the end`);
    if (r.heapTrendMiBPerMin !== undefined) {
      console.log(`live V8 heaps (all threads) after warm-up: ${signed(r.heapTrendMiBPerMin)}`);
    }
    console.log(soakTarget(r));
  }
  const limit = values["max-growth-mib-per-min"] === undefined
    ? undefined
    : Number(values["max-growth-mib-per-min"]);
  Deno.exit(r.errors > 0 || (limit !== undefined && r.secondHalfMiBPerMin > limit) ? 1 : 0);
}
