// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import { createCronJobRepo } from "../../src/cron/job_repo.ts";
import { loadImportFiles } from "../../src/app/import_loader.ts";
import { openStore } from "../../src/store/mod.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { tempHome } from "../helpers/temp.ts";

const PAIRINGS = {
  version: 1,
  source: "openclaw",
  pairings: [
    {
      channel: "telegram",
      accountId: "default",
      senderId: "111",
      source: "credentials/telegram-allowFrom.json",
    },
    { channel: "discord", accountId: "default", senderId: "222" },
  ],
};
const CRON = {
  version: 1,
  source: "openclaw",
  jobs: [
    {
      id: "morning",
      name: "Morning brief",
      agentId: "main",
      enabled: true,
      schedule: { kind: "cron", expr: "0 7 * * *", tz: "UTC" },
      session: "main",
      message: "Summarize",
      deliver: { channel: "telegram", to: "111" },
    },
    {
      id: "tick",
      name: "Tick",
      schedule: { kind: "every", everyMs: 60_000 },
      session: "isolated",
      message: "tick",
    },
  ],
};

Deno.test("imported OpenClaw pairings and cron jobs are loaded into the store once at gateway start", async () => {
  await using home = await tempHome();
  await Deno.mkdir(`${home.dir}/import`);
  await Deno.writeTextFile(`${home.dir}/import/openclaw-pairings.json`, JSON.stringify(PAIRINGS));
  await Deno.writeTextFile(`${home.dir}/import/openclaw-cron.json`, JSON.stringify(CRON));
  const store = await openStore({ url: ":memory:" });
  try {
    const deps = {
      dir: `${home.dir}/import`,
      pairing: createPairingRepo(store.db),
      cron: createCronJobRepo(store.db),
      defaultAgent: "main",
      now: Date.UTC(2026, 0, 1),
      logger: silentLogger,
    };
    const first = await loadImportFiles(deps);
    assert.deepEqual(first, { pairings: 2, jobs: 2, errors: [] });
    assert.equal(await deps.pairing.isApproved("telegram", "default", "111"), true);
    const jobs = await deps.cron.list();
    const morning = jobs.find((j) => j.id === "morning")!;
    assert.equal(morning.payload.sessionKey, "agent:main:main");
    assert.deepEqual(morning.payload.deliver, { channel: "telegram", to: "111" });
    assert.equal(morning.nextRunAt, Date.UTC(2026, 0, 1, 7));
    assert.equal(jobs.find((j) => j.id === "tick")!.payload.sessionKey, undefined);
    await Deno.stat(`${home.dir}/import/openclaw-cron.loaded.json`);
    // The same file again (say, a second import) adds nothing twice.
    await Deno.writeTextFile(`${home.dir}/import/openclaw-pairings.json`, JSON.stringify(PAIRINGS));
    assert.deepEqual(await loadImportFiles(deps), { pairings: 0, jobs: 0, errors: [] });
  } finally {
    store.close();
  }
});

Deno.test("a malformed import file is reported and left in place; the gateway still starts", async () => {
  await using gw = await startTestGateway();
  await Deno.mkdir(`${gw.home}/import`, { recursive: true });
  await Deno.writeTextFile(`${gw.home}/import/openclaw-cron.json`, '{"version": 1, "jobs": [{"id": "x"}]}');
  const result = await loadImportFiles({
    dir: `${gw.home}/import`,
    pairing: createPairingRepo(gw.store.db),
    cron: createCronJobRepo(gw.store.db),
    defaultAgent: "main",
    now: Date.now(),
    logger: silentLogger,
  });
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0]!, /openclaw-cron\.json: .*jobs\.0\.schedule/);
  await Deno.stat(`${gw.home}/import/openclaw-cron.json`);
  const client = await gw.connect();
  assert.equal((await client.request<any>("health")).ok, true);
  await client.close();
});

Deno.test("what `talon import openclaw` writes is what the loader reads", async () => {
  const { cli } = await import("../helpers/cli.ts");
  await using home = await tempHome();
  const from = new URL("../fixtures/openclaw/full", import.meta.url).pathname;
  const r = await cli(["import", "openclaw", "--from", from], { HOME: home.dir, TALON_HOME: home.dir });
  assert.equal(r.code, 0, r.err + r.out);
  const store = await openStore({ url: ":memory:" });
  try {
    const result = await loadImportFiles({
      dir: `${home.dir}/import`,
      pairing: createPairingRepo(store.db),
      cron: createCronJobRepo(store.db),
      defaultAgent: "main",
      now: Date.now(),
      logger: silentLogger,
    });
    assert.deepEqual(result.errors, []);
    assert.ok(result.pairings > 0, "pairings loaded");
    assert.ok(result.jobs > 0, "cron jobs loaded");
  } finally {
    store.close();
  }
});
