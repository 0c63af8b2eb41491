/**
 * Startup and idle-memory benchmark: time from process spawn to `/readyz` 200, and RSS after an idle
 * period, median of N runs, for `talon gateway` beside a bare Deno.serve hello-world started the same way,
 * and beside the dependency floor (fixtures/floor_server.ts: @libsql/client + zod + hono, a database
 * opened, nothing of Talon's), which shows how much of the cost is the packages themselves.
 *
 *   deno run -A scripts/bench_startup.ts [--runs 5] [--idle 10]
 * Targets: startup ≤ 3× the bare server and ≤ 300 ms; idle RSS ≤ 2× the bare server.
 */
import { parseArgs } from "node:util";
import { GATEWAY_FLAGS } from "../src/core/runtime_flags.ts";
import { freePort } from "../test/helpers/ports.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const BARE = new URL("./fixtures/bare_server.ts", import.meta.url).pathname;
const FLOOR = new URL("./fixtures/floor_server.ts", import.meta.url).pathname;

export interface StartupSample {
  startupMs: number;
  rssKiB: number;
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

/** Spawns one server, measures spawn → /readyz 200, waits idleSeconds, reads RSS, kills it. */
export async function sample(kind: "talon" | "bare" | "floor", idleSeconds: number): Promise<StartupSample> {
  const port = freePort();
  const home = await Deno.makeTempDir({ prefix: "talon-bench-" });
  const args = kind === "talon"
    ? ["run", "--allow-all", "--unstable-worker-options", ...GATEWAY_FLAGS, MAIN, "gateway"]
    : kind === "floor"
    ? ["run", "--allow-all", FLOOR, String(port)]
    : ["run", "--allow-net", BARE, String(port)];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { TALON_HOME: home, TALON_PORT: String(port) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let startupMs = NaN;
  try {
    const deadline = t0 + 30_000;
    while (performance.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        await res.body?.cancel();
        if (res.status === 200) {
          startupMs = performance.now() - t0;
          break;
        }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 2));
    }
    if (Number.isNaN(startupMs)) throw new Error(`${kind} did not become ready`);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    return { startupMs, rssKiB: rssKiB(child.pid) };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function benchStartup(runs: number, idleSeconds: number) {
  const results: Record<string, StartupSample[]> = { bare: [], talon: [], floor: [] };
  for (let i = 0; i < runs; i++) {
    for (const kind of ["bare", "floor", "talon"] as const) {
      results[kind]!.push(await sample(kind, idleSeconds));
    }
  }
  const row = (kind: string) => ({
    startupMs: median(results[kind]!.map((s) => s.startupMs)),
    rssMiB: median(results[kind]!.map((s) => s.rssKiB)) / 1024,
  });
  return { bare: row("bare"), talon: row("talon"), floor: row("floor") };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "5" }, idle: { type: "string", default: "10" } },
  });
  const { bare, talon, floor } = await benchStartup(Number(values.runs), Number(values.idle));
  const ratioStart = talon.startupMs / bare.startupMs;
  const ratioRss = talon.rssMiB / bare.rssMiB;
  console.log(`startup benchmark, median of ${values.runs} runs, RSS after ${values.idle} s idle`);
  console.log(`| server | startup to /readyz | idle RSS |`);
  console.log(`|---|---|---|`);
  console.log(`| bare Deno.serve | ${bare.startupMs.toFixed(0)} ms | ${bare.rssMiB.toFixed(1)} MiB |`);
  console.log(
    `| floor: @libsql/client + zod + hono, db open | ${floor.startupMs.toFixed(0)} ms | ${
      floor.rssMiB.toFixed(1)
    } MiB |`,
  );
  console.log(`| talon gateway | ${talon.startupMs.toFixed(0)} ms | ${talon.rssMiB.toFixed(1)} MiB |`);
  console.log(
    `ratios: startup ${ratioStart.toFixed(2)}x (target ≤ 3x and ≤ 300 ms: ${
      ratioStart <= 3 && talon.startupMs <= 300 ? "met" : "NOT met"
    }), ` +
      `RSS ${ratioRss.toFixed(2)}x (target ≤ 2x: ${ratioRss <= 2 ? "met" : "NOT met"})`,
  );
  console.log(
    `floor alone: startup ${(floor.startupMs / bare.startupMs).toFixed(2)}x, RSS ${
      (floor.rssMiB / bare.rssMiB).toFixed(2)
    }x of the bare server`,
  );
}
