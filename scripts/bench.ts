/**
 * `deno task bench`: the startup, turn-overhead and lanes benchmarks, several runs each, printed as one
 * table of medians with peak RSS, so anyone can reproduce the published numbers. Loopback only; every
 * benchmark is bounded (lanes runs in a child process with a time limit).
 *
 *   deno task bench [--runs 3] [--quick] [--json]
 * --quick: 1 run, fewer turns and sessions (a smoke run, not for publishing).
 */
import { parseArgs } from "node:util";
import { benchStartup, median } from "./bench_startup.ts";
import { benchTurns, type TurnsResult } from "./bench_turns.ts";

export interface LanesRow {
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

export interface BenchRow {
  benchmark: string;
  case: string;
  result: string;
  peakRss: string;
  target: string;
  met?: boolean;
}

/** Field-wise medians of several runs' lanes rows (matched by delay and sessions). */
export function medianLanes(runs: LanesRow[][]): LanesRow[] {
  const first = runs[0] ?? [];
  return first.map((row) => {
    const same = runs.map((r) => r.find((x) => x.delayMs === row.delayMs && x.sessions === row.sessions))
      .filter((x): x is LanesRow => x !== undefined);
    const med = (k: keyof LanesRow) => median(same.map((x) => x[k]));
    return {
      delayMs: row.delayMs,
      sessions: row.sessions,
      turns: row.turns,
      seconds: med("seconds"),
      turnsPerSec: med("turnsPerSec"),
      p50: med("p50"),
      p99: med("p99"),
      peakRssMiB: Math.max(...same.map((x) => x.peakRssMiB)),
      idealSeconds: row.idealSeconds,
    };
  });
}

/** Field-wise medians of several turn benchmark runs (peak RSS: the highest). */
export function medianTurns(runs: TurnsResult[]): TurnsResult {
  const med = (k: keyof TurnsResult) => median(runs.map((r) => r[k]));
  return {
    turns: runs[0]!.turns,
    latencyP50Ms: med("latencyP50Ms"),
    latencyP99Ms: med("latencyP99Ms"),
    providerP50Ms: med("providerP50Ms"),
    overheadP50Ms: med("overheadP50Ms"),
    overheadP99Ms: med("overheadP99Ms"),
    bytesToProviderPerTurn: med("bytesToProviderPerTurn"),
    promptAndToolsBytes: med("promptAndToolsBytes"),
    systemPromptBytes: med("systemPromptBytes"),
    toolSchemasBytes: med("toolSchemasBytes"),
    toolCount: runs[0]!.toolCount,
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
  };
}

const mib = (v: number) => `${v.toFixed(0)} MiB`;

/** The rows of the combined table. */
export function benchRows(r: {
  startup?: { bare: { startupMs: number; rssMiB: number }; talon: { startupMs: number; rssMiB: number } };
  turns?: TurnsResult;
  lanes?: LanesRow[];
}): BenchRow[] {
  const rows: BenchRow[] = [];
  if (r.startup) {
    const { bare, talon } = r.startup;
    rows.push({
      benchmark: "startup",
      case: "bare Deno.serve",
      result: `${bare.startupMs.toFixed(0)} ms to ready`,
      peakRss: `${mib(bare.rssMiB)} idle`,
      target: "baseline",
    });
    const ratio = talon.startupMs / bare.startupMs;
    rows.push({
      benchmark: "startup",
      case: "talon gateway",
      result: `${talon.startupMs.toFixed(0)} ms to /readyz (${ratio.toFixed(2)}x bare)`,
      peakRss: `${mib(talon.rssMiB)} idle (${(talon.rssMiB / bare.rssMiB).toFixed(2)}x)`,
      target: "≤ 300 ms and ≤ 3x bare; RSS ≤ 2x bare",
      met: talon.startupMs <= 300 && ratio <= 3 && talon.rssMiB <= 2 * bare.rssMiB,
    });
  }
  if (r.turns) {
    const t = r.turns;
    rows.push({
      benchmark: "turns",
      case: `${t.turns} sequential /v1/chat/completions, provider 0 ms`,
      result: `overhead p50 ${t.overheadP50Ms.toFixed(2)} ms, p99 ${t.overheadP99Ms.toFixed(2)} ms`,
      peakRss: mib(t.peakRssMiB),
      target: "overhead p50 ≤ 5 ms",
      met: t.overheadP50Ms <= 5,
    });
    rows.push({
      benchmark: "turns",
      case: `bytes to the provider per turn; prompt + ${t.toolCount} tool schemas`,
      result: `${(t.bytesToProviderPerTurn / 1024).toFixed(1)} KB per turn; ${
        (t.promptAndToolsBytes / 1024).toFixed(1)
      } KB prompt + schemas`,
      peakRss: "",
      target: "prompt + schemas ≤ 12 KB",
      met: t.promptAndToolsBytes <= 12 * 1024,
    });
  }
  for (const l of r.lanes ?? []) {
    let target = "";
    let met: boolean | undefined;
    if (l.delayMs === 0 && l.sessions === 10) {
      target = "≥ 500 turns/s";
      met = l.turnsPerSec >= 500;
    } else if (l.delayMs > 0 && l.sessions === 1000) {
      target = `≈ ideal ${l.idealSeconds.toFixed(1)} s; RSS ≤ 150 MiB`;
      met = l.seconds <= l.idealSeconds * 1.15 + 0.5 && l.peakRssMiB <= 150;
    }
    rows.push({
      benchmark: "lanes",
      case: `${l.sessions} sessions, provider ${l.delayMs} ms, ${l.turns} turns`,
      result: `${l.turnsPerSec.toFixed(0)} turns/s in ${l.seconds.toFixed(2)} s, p50 ${
        l.p50.toFixed(0)
      } ms, p99 ${l.p99.toFixed(0)} ms`,
      peakRss: mib(l.peakRssMiB),
      target,
      met,
    });
  }
  return rows;
}

/** A Markdown table of the rows. */
export function renderTable(rows: BenchRow[]): string {
  const lines = [
    "| benchmark | case | median result | peak RSS | target | met |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.benchmark} | ${r.case} | ${r.result} | ${r.peakRss} | ${r.target} | ${
        r.met === undefined ? "" : r.met ? "yes" : "NO"
      } |`
    ),
  ];
  return lines.join("\n");
}

/** Runs scripts/bench_lanes.ts in a child process (bounded by timeoutMs) and returns its rows. */
export async function runLanes(args: string[], timeoutMs: number): Promise<LanesRow[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-worker-options",
      new URL("./bench_lanes.ts", import.meta.url).pathname,
      ...args,
    ],
    env: { BENCH_JSON: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const last = text.trim().split("\n").pop() ?? "";
  if (out.code !== 0 || !last.startsWith("[")) {
    throw new Error(
      `bench_lanes failed (exit ${out.code}):\n${text}\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return JSON.parse(last);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      only: { type: "string", default: "startup,turns,lanes" },
    },
  });
  const runs = Number(values.runs ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError("--runs takes a positive integer");
  const only = new Set(values.only.split(","));
  const log = (s: string) => console.error(s);
  const result: Parameters<typeof benchRows>[0] = {};
  const t0 = performance.now();
  if (only.has("startup")) {
    log(`startup: ${values.quick ? 1 : 5} runs…`);
    result.startup = await benchStartup(values.quick ? 1 : 5, values.quick ? 1 : 3);
  }
  if (only.has("turns")) {
    const samples: TurnsResult[] = [];
    for (let i = 0; i < runs; i++) {
      log(`turns: run ${i + 1}/${runs}…`);
      samples.push(await benchTurns({ turns: values.quick ? 50 : 200, warmup: 10 }));
    }
    result.turns = medianTurns(samples);
  }
  if (only.has("lanes")) {
    const lanesArgs = values.quick ? ["--sessions", "1,10,100", "--turns-0ms", "500"] : [];
    const samples: LanesRow[][] = [];
    for (let i = 0; i < runs; i++) {
      log(`lanes: run ${i + 1}/${runs}…`);
      samples.push(await runLanes(lanesArgs, 180_000));
    }
    result.lanes = medianLanes(samples);
  }
  const rows = benchRows(result);
  if (values.json) console.log(JSON.stringify({ runs, ...result }));
  else {
    console.log(
      `Talon benchmarks — median of ${runs} run(s) (startup: ${
        values.quick ? 1 : 5
      }), ${Deno.build.target}, ` +
        `${navigator.hardwareConcurrency} CPUs, deno ${Deno.version.deno}, ${
          ((performance.now() - t0) / 1000).toFixed(0)
        } s`,
    );
    console.log(renderTable(rows));
  }
}
