/**
 * Runs scripts/compat_openclaw.ts (the real `openclaw` CLI against a real Talon gateway) when its cache
 * of Node 24 and the OpenClaw CLI exists; otherwise skips and says how to fill the cache.
 */
import assert from "node:assert/strict";
import { cachePaths, DEFAULT_CACHE } from "../../scripts/compat_openclaw.ts";

const SCRIPT = new URL("../../scripts/compat_openclaw.ts", import.meta.url).pathname;
const ready = await Deno.stat(cachePaths(DEFAULT_CACHE).marker).then(() => true, () => false);
if (!ready) {
  console.log(
    `SKIP openclaw CLI compatibility: no cache at ${DEFAULT_CACHE}. ` +
      "Fill it with: deno run --allow-all scripts/compat_openclaw.ts --install-only",
  );
}

Deno.test({
  name: "the real openclaw CLI works against a Talon gateway (health, status, gateway call, agent, logs)",
  ignore: !ready,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", SCRIPT, "--no-install", "--json"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `compat script failed (exit ${out.code}):\n${stdout}\n${stderr}`);
    const report = JSON.parse(stdout) as { results: { command: string; pass: boolean; code: number }[] };
    const commands = report.results.map((r) => r.command);
    for (
      const c of [
        "openclaw health",
        "openclaw status",
        "openclaw gateway call health",
        "openclaw agent --message hi",
        "openclaw logs",
      ]
    ) {
      const r = report.results.find((x) => x.command === c);
      assert.ok(r, `${c} missing from ${commands.join(", ")}`);
      assert.equal(r.pass, true, c);
      assert.equal(r.code, 0, c);
    }
    assert.ok(report.results.every((r) => r.pass));
  },
});
