import assert from "node:assert/strict";
import { benchRows, type LanesRow, medianLanes, medianTurns, renderTable } from "../../scripts/bench.ts";
import { benchTurns, type TurnsResult } from "../../scripts/bench_turns.ts";

Deno.test("bench_turns: a real gateway process, every turn reaches the provider, bytes and schema size measured", async () => {
  const r = await benchTurns({ turns: 5, warmup: 1 });
  assert.equal(r.turns, 5);
  assert.ok(r.latencyP50Ms > 0 && r.latencyP99Ms >= r.latencyP50Ms);
  assert.ok(r.overheadP50Ms > 0 && r.overheadP50Ms <= r.latencyP50Ms, "provider time is subtracted");
  assert.ok(r.toolCount > 0, "the default agent sends tool schemas");
  assert.ok(r.toolSchemasBytes > 100 && r.systemPromptBytes > 10);
  assert.ok(r.bytesToProviderPerTurn >= r.promptAndToolsBytes, "the request carries the prompt and tools");
  assert.ok(r.peakRssMiB > 10, "peak RSS of the gateway process is read");
});

function lanes(tps: number, rss: number): LanesRow[] {
  return [
    {
      delayMs: 0,
      sessions: 10,
      turns: 100,
      seconds: 100 / tps,
      turnsPerSec: tps,
      p50: 5,
      p99: 9,
      peakRssMiB: rss,
      idealSeconds: 0,
    },
    {
      delayMs: 200,
      sessions: 1000,
      turns: 1000,
      seconds: 25.3,
      turnsPerSec: 39.5,
      p50: 12_000,
      p99: 25_000,
      peakRssMiB: rss,
      idealSeconds: 25,
    },
  ];
}

Deno.test("bench: medians across runs, the highest peak RSS, targets judged per row", () => {
  const m = medianLanes([lanes(400, 100), lanes(900, 120), lanes(1000, 140)]);
  assert.equal(m[0]!.turnsPerSec, 900);
  assert.equal(m[0]!.peakRssMiB, 140);
  const turns = (o: number, bytes: number): TurnsResult => ({
    turns: 200,
    latencyP50Ms: o + 0.1,
    latencyP99Ms: o * 3,
    providerP50Ms: 0.1,
    overheadP50Ms: o,
    overheadP99Ms: o * 3,
    bytesToProviderPerTurn: bytes,
    promptAndToolsBytes: bytes - 100,
    systemPromptBytes: 700,
    toolSchemasBytes: bytes - 800,
    toolCount: 11,
    peakRssMiB: o * 10,
  });
  const t = medianTurns([turns(3, 6000), turns(7, 6000), turns(4, 6000)]);
  assert.equal(t.overheadP50Ms, 4);
  assert.equal(t.peakRssMiB, 70);
  const rows = benchRows({
    startup: { bare: { startupMs: 30, rssMiB: 36 }, talon: { startupMs: 180, rssMiB: 60 } },
    turns: t,
    lanes: m,
  });
  const met = Object.fromEntries(rows.map((r) => [`${r.benchmark}: ${r.case}`, r.met]));
  assert.equal(met["startup: talon gateway"], false, "6x the bare server misses the 3x target");
  assert.equal(met["turns: 200 sequential /v1/chat/completions, provider 0 ms"], true);
  assert.equal(met["lanes: 10 sessions, provider 0 ms, 100 turns"], true);
  assert.equal(met["lanes: 1000 sessions, provider 200 ms, 1000 turns"], true);
  const big = benchRows({ turns: turns(6, 20_000) });
  assert.deepEqual(big.map((r) => r.met), [false, false]);
  const table = renderTable(rows);
  assert.match(table, /^\| benchmark \| case \| median result \| peak RSS \| target \| met \|/);
  assert.match(table, /\| turns \| .* \| overhead p50 4\.00 ms, p99 12\.00 ms \| 70 MiB \|/);
});
