import assert from "node:assert/strict";
import {
  calibrateCpu,
  type CaseResult,
  checkTargets,
  formatTargets,
  runCase,
  startFakeProvider,
  steadyRate,
  type TargetCheck,
} from "../../scripts/bench_http.ts";
import { cpuMs, statusMiB, treePids, treeRssMiB } from "../../scripts/proc_stats.ts";
import { spawnProviderGateway } from "../helpers/process.ts";

Deno.test("bench_http: 3 processes; every turn reaches the fake provider over HTTP and WS, figures measured", async () => {
  const fake = await startFakeProvider();
  try {
    await using gw = await spawnProviderGateway({
      providerUrl: fake.url,
      model: "gpt-bench",
      prefix: "talon-bench-http-test-",
    });
    let n = 0;
    const env = { gw, providerUrl: fake.url, next: () => n++ };
    for (const transport of ["http", "ws"] as const) {
      const r = await runCase({ name: transport, sessions: 2, delayMs: 20, turns: 4, transport }, env);
      assert.equal(r.errors, 0, r.firstError ?? "");
      assert.ok(r.latencyP50Ms >= 20, `${transport}: the provider's delay is part of the latency`);
      assert.ok(r.overheadP50Ms < r.latencyP50Ms - 15, `${transport}: the provider's time is subtracted`);
      assert.ok(
        r.beforeP50Ms > 0 && r.afterP50Ms > 0,
        `${transport}: before ${r.beforeP50Ms}, after ${r.afterP50Ms}`,
      );
      assert.ok(
        Math.abs(r.beforeP50Ms + r.afterP50Ms - r.overheadP50Ms) < r.overheadP50Ms,
        `${transport}: before + after ≈ the overhead`,
      );
      assert.ok(r.cpuPerTurnMs >= 0 && r.peakRssMiB > 10, `${transport}: /proc figures are read`);
      assert.equal(r.idealPerSecond, 100);
    }
  } finally {
    await fake.close();
  }
});

Deno.test("proc_stats: this process's tree, RSS and CPU time", () => {
  assert.deepEqual(treePids(Deno.pid).slice(0, 1), [Deno.pid]);
  // The tree includes this process; its RSS may move between the two reads, so allow a little.
  const self = statusMiB(Deno.pid, "VmRSS");
  const tree = treeRssMiB(Deno.pid);
  assert.ok(self > 10 && tree >= self - 4, `tree ${tree} MiB, this process ${self} MiB`);
  assert.ok(statusMiB(Deno.pid, "VmHWM") > 10);
  assert.ok(cpuMs(Deno.pid) > 0);
  assert.equal(cpuMs(2 ** 22 + 1), 0, "a process that is gone counts 0");
});

const row = (name: string, turnsPerSecond: number, extra: Partial<CaseResult> = {}): CaseResult => ({
  name,
  sessions: 200,
  delayMs: 200,
  turns: 100,
  transport: "http",
  seconds: 1,
  turnsPerSecond,
  steadyPerSecond: turnsPerSecond,
  idealPerSecond: 1000,
  errors: 0,
  latencyP50Ms: 1,
  latencyP95Ms: 1,
  overheadP50Ms: 4,
  overheadP95Ms: 12,
  beforeP50Ms: 2,
  afterP50Ms: 2,
  cpuPerTurnMs: 5,
  peakRssMiB: 250,
  ...extra,
});

Deno.test("bench_http targets: against min(ideal, the 0 ms throughput of the same run)", () => {
  const met = checkTargets([
    row("p200@0", 100),
    row("p200@200", 85),
    row("p1000@2000", 81, { sessions: 1000, delayMs: 2000 }),
    row("seq", 40),
  ]);
  const show = (c: TargetCheck[]) => formatTargets(c).join("\n");
  assert.equal(met.length, 8);
  assert.ok(met.every((c) => c.pass !== false), show(met));
  assert.equal(met.filter((c) => c.pass === undefined).length, 1, "no baseline: 0 ms regression not checked");
  assert.equal(checkTargets([row("p200@0", 100)], 120).at(-2)!.pass, false, "100/s is < 90 % of 120/s");
  assert.equal(checkTargets([row("p200@0", 100)], 105).at(-2)!.pass, true);
  const missed = checkTargets([
    row("p200@0", 100),
    row("p200@200", 70),
    row("p1000@2000", 70, { peakRssMiB: 320 }),
    row("seq", 40, { overheadP50Ms: 6, overheadP95Ms: 16, cpuPerTurnMs: 7, errors: 1 }),
  ]);
  const failed = missed.filter((c) => c.pass === false).map((c) => c.target);
  assert.equal(failed.length, 7, show(missed));
  assert.ok(formatTargets(missed).some((l) => l.endsWith("| FAIL |")), show(missed));
  const none = checkTargets([]);
  assert.ok(none.slice(0, -1).every((c) => c.pass === undefined && c.figure.startsWith("needs")), show(none));
});

Deno.test("bench_http: the steady rate leaves out the start and the last round's wait", () => {
  // 1,000 sessions at 2 s, three rounds: all start at 0, complete at ~2.5, ~4.5, ~6.5 s; nothing after.
  const at: number[] = [];
  for (const end of [2500, 4500, 6500]) for (let i = 0; i < 1000; i++) at.push(end + i);
  // Middle half: from completion 750 (at 2,500 + 750 ms) to completion 2,250 (at 6,500 + 250 ms).
  assert.equal(steadyRate(at), (1500 * 1000) / (6500 + 250 - (2500 + 750)));
  assert.equal(steadyRate([]), Infinity);
  const whole = checkTargets([
    row("p200@0", 400),
    row("p1000@2000", 280, { steadyPerSecond: 330, sessions: 1000, delayMs: 2000 }),
  ]);
  const t = whole.find((c) => c.target.startsWith("1,000 sessions @ 2 s: ≥"))!;
  assert.equal(t.pass, true, t.figure);
  assert.match(t.figure, /steady 330\.0\/s = 83 % of 400\.0\/s \(whole run 280\.0\/s = 70 %\)/);
});

Deno.test("bench_http: the CPU calibration does the same work every time and times it", () => {
  const a = calibrateCpu(3);
  const b = calibrateCpu(3);
  assert.equal(a.items, 6000);
  assert.equal(b.items, a.items);
  assert.ok(a.ms > 0 && Number.isFinite(a.ms), String(a.ms));
  assert.equal(calibrateCpu().items, 600_000, "the default work is fixed: figures of different runs compare");
});
