import assert from "node:assert/strict";
import { importCommand } from "../../src/cli/import.ts";
import { EXIT } from "../../src/cli/io.ts";
import type { CliIo } from "../../src/cli/io.ts";

const FULL = new URL("../fixtures/openclaw/full", import.meta.url).pathname;

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env, interactive: false };
  return { cli, out, err };
}

Deno.test("talon import openclaw --dry-run prints the plan and writes nothing", async () => {
  const home = await Deno.makeTempDir();
  try {
    const { cli, out } = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(await importCommand.run(["openclaw", "--from", FULL, "--dry-run"], cli), EXIT.ok);
    const text = out.join("\n");
    assert.match(text, /Would import from .* into /);
    assert.match(text, /2 agent\(s\), 4 channel account\(s\), 5 approved pairing\(s\), 3 cron job\(s\)/);
    assert.match(text, /Not imported \(\d+\):\n/);
    assert.match(text, /channels\.whatsapp: the linked phone is not carried over; link it again/);
    await assert.rejects(Deno.stat(`${home}/talon`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("talon import openclaw: real run, then a second run fails without --force and names the files", async () => {
  const home = await Deno.makeTempDir();
  try {
    const { cli, out } = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(await importCommand.run(["openclaw", "--from", FULL], cli), EXIT.ok);
    assert.match(out.join("\n"), /^Imported from /);
    const again = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(await importCommand.run(["openclaw", "--from", FULL], again.cli), EXIT.failure);
    assert.match(again.err.join("\n"), /already exist \(use --force to overwrite\):\n.*talon\.json/);
    const dry = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(
      await importCommand.run(["openclaw", "--from", FULL, "--dry-run", "--json"], dry.cli),
      EXIT.ok,
    );
    const plan = JSON.parse(dry.out.join("\n"));
    assert.ok(plan.existing.length >= 10);
    assert.equal(plan.summary.cronJobs, 3);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("talon import: default --from is ~/.openclaw; bad source names are usage errors", async () => {
  const home = await Deno.makeTempDir();
  try {
    const a = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(await importCommand.run(["openclaw", "--dry-run"], a.cli), EXIT.failure);
    assert.match(a.err.join(""), new RegExp(`${home}/\\.openclaw: no OpenClaw state directory`));
    const b = io({ TALON_HOME: `${home}/talon`, HOME: home });
    assert.equal(await importCommand.run(["hermes"], b.cli), EXIT.usage);
    assert.match(b.err.join(""), /expected the source "openclaw"/);
    await assert.rejects(importCommand.run(["openclaw", "--bogus"], b.cli), TypeError);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
