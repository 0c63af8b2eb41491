/** `talon import openclaw` carries agents.defaults.heartbeat, HEARTBEAT.md and memory/*.md over. */
import assert from "node:assert/strict";
import { buildOpenClawImportPlan } from "../../src/migrate/plan.ts";
import { validateConfig } from "../../src/config/load.ts";

async function openclawDir(heartbeat: unknown): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "openclaw-hb-" });
  await Deno.mkdir(`${dir}/workspace/memory`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/openclaw.json`,
    JSON.stringify({ agents: { defaults: { model: "anthropic/claude-x", heartbeat } } }),
  );
  await Deno.writeTextFile(`${dir}/workspace/HEARTBEAT.md`, "- check the calendar\n");
  await Deno.writeTextFile(`${dir}/workspace/memory/2026-01-02.md`, "note\n");
  return dir;
}

Deno.test("import: heartbeat settings, HEARTBEAT.md and daily notes come over", async () => {
  const from = await openclawDir({
    every: "45m",
    activeHours: { start: "08:00", end: "22:00", timezone: "Europe/Berlin" },
    target: "telegram",
    to: "direct:42",
    prompt: "Check in.",
    ackMaxChars: 300,
  });
  const home = await Deno.makeTempDir();
  try {
    const p = await buildOpenClawImportPlan({ from, home, env: { ANTHROPIC_API_KEY: "x" }, now: () => 0 });
    const hb = (p.config.agents as { defaults: { heartbeat: unknown } }).defaults.heartbeat;
    assert.deepEqual(hb, {
      every: "45m",
      activeHours: { start: "08:00", end: "22:00", timezone: "Europe/Berlin" },
      target: { channel: "telegram", to: "direct:42" },
      prompt: "Check in.",
    });
    assert.ok(p.unmapped.some((u) => u.path === "agents.defaults.heartbeat.ackMaxChars"));
    const paths = p.files.map((f) => f.path.slice(home.length));
    assert.ok(paths.includes("/workspace/main/HEARTBEAT.md"), paths.join(","));
    assert.ok(paths.includes("/workspace/main/memory/2026-01-02.md"));
    validateConfig(p.config, { env: { ANTHROPIC_API_KEY: "x" }, file: "imported" });
  } finally {
    await Deno.remove(from, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("import: a heartbeat Talon cannot express is reported, not invented", async () => {
  const from = await openclawDir({ every: "1h30m", target: "whatsapp", activeHours: { start: "8am" } });
  const home = await Deno.makeTempDir();
  try {
    const p = await buildOpenClawImportPlan({ from, home, env: {}, now: () => 0 });
    assert.deepEqual((p.config.agents as { defaults: { heartbeat: unknown } }).defaults.heartbeat, {});
    assert.ok(p.warnings.some((w) => /heartbeat\.every "1h30m" is not a plain duration/.test(w)));
    assert.ok(p.warnings.some((w) => /heartbeat\.target "whatsapp" has no "to"/.test(w)));
    assert.ok(p.unmapped.some((u) => u.path === "agents.defaults.heartbeat.activeHours"));
  } finally {
    await Deno.remove(from, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});
