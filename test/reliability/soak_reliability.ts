/**
 * A short run of scripts/soak.ts (the full soak is 10 minutes: `deno run -A --unstable-worker-options
 * scripts/soak.ts`): steady load on a real gateway process, every turn answered, RSS sampled.
 */
import assert from "node:assert/strict";
import { slope, soak } from "../../scripts/soak.ts";

Deno.test("soak (short): steady load for 15 s, every turn answered, the RSS trend is reported", async () => {
  const r = await soak({ durationMs: 15_000, rate: 10, sessions: 10, sampleMs: 3000 });
  console.log(
    `turns ${r.turns}, errors ${r.errors}, p50 ${r.p50Ms.toFixed(1)} ms, RSS ${r.startRssMiB.toFixed(0)} → ${
      r.endRssMiB.toFixed(0)
    } MiB, trend ${r.trendMiBPerMin.toFixed(1)} MiB/min`,
  );
  assert.equal(r.errors, 0, `first error: ${r.firstError}`);
  assert.ok(r.turns >= 140 && r.turns <= 151, `steady pacing: ${r.turns} turns`);
  assert.ok(r.samples.length >= 5, "RSS sampled through the run");
  assert.ok(r.samples.every(([, rss]) => rss > 10), "RSS read from the gateway process");
  assert.ok(r.peakRssMiB >= Math.max(...r.samples.map(([, rss]) => rss)) - 1);
  assert.ok(Number.isFinite(r.trendMiBPerMin));
});

Deno.test("soak: the trend is the least-squares slope", () => {
  assert.equal(slope([[0, 100], [10, 110], [20, 120]]), 1);
  assert.equal(slope([[0, 5], [1, 5]]), 0);
  assert.equal(slope([[3, 7]]), 0);
});
