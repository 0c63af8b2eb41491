import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createCronJobRepo } from "../../src/cron/job_repo.ts";
import { createCronScheduler } from "../../src/cron/scheduler.ts";
import type { CronJob } from "../../src/cron/job_repo.ts";
import { createCronTool } from "../../src/tools/cron.ts";
import { manualClock } from "../fakes/tools_clock.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

const T0 = Date.parse("2026-01-05T08:00:00Z"); // a Monday

async function setup(missedRuns: "skip" | "run-once" = "run-once") {
  const store = await openStore({ url: ":memory:" });
  const clock = manualClock(T0);
  const fired: { job: string; at: string }[] = [];
  const repo = createCronJobRepo(store.db);
  const make = () =>
    createCronScheduler({
      repo,
      clock,
      config: { enabled: true, missedRuns },
      runJob: (job: CronJob) => {
        fired.push({ job: job.name, at: new Date(clock.now()).toISOString() });
        if (job.payload.message === "fail") return Promise.reject(new Error("boom"));
        return Promise.resolve({ ok: true, summary: `did ${job.payload.message}` });
      },
    });
  return { store, clock, fired, repo, make, [Symbol.dispose]: () => store.close() };
}

Deno.test("scheduler fires every, cron (with time zone) and at jobs at the right fake times", async () => {
  using s = await setup();
  const sched = s.make();
  await sched.start();
  const every = await sched.add({
    name: "every",
    schedule: { kind: "every", everyMs: 20 * 60_000 },
    payload: { message: "e" },
  });
  await sched.add({
    name: "cron",
    schedule: { kind: "cron", expr: "30 9 * * *", tz: "Europe/Berlin" },
    payload: { message: "c" },
  });
  const at = await sched.add({
    name: "at",
    schedule: { kind: "at", at: "2026-01-05T08:45:00Z" },
    payload: { message: "fail" },
  });
  await s.clock.advance(70 * 60_000); // to 09:10Z
  await sched.idle();
  assert.deepEqual(
    s.fired,
    [
      { job: "every", at: "2026-01-05T08:20:00.000Z" },
      { job: "every", at: "2026-01-05T08:40:00.000Z" },
      { job: "at", at: "2026-01-05T08:45:00.000Z" },
      { job: "cron", at: "2026-01-05T08:30:00.000Z" },
      { job: "every", at: "2026-01-05T09:00:00.000Z" },
    ].sort((a, b) => a.at.localeCompare(b.at)),
  );
  const atRuns = await sched.runs(at.id);
  assert.equal(atRuns.length, 1);
  assert.equal(atRuns[0]?.ok, false);
  assert.equal(atRuns[0]?.summary, "Error: boom");
  assert.equal((await s.repo.get(at.id))?.enabled, false, "a one-off job is done after it ran");
  const everyRuns = await sched.runs(every.id);
  assert.deepEqual(everyRuns.map((r) => [r.ok, r.summary]), [[true, "did e"], [true, "did e"], [
    true,
    "did e",
  ]]);
  assert.ok(await sched.remove(every.id));
  await s.clock.advance(60 * 60_000);
  await sched.idle();
  assert.equal(s.fired.filter((f) => f.job === "every").length, 3, "a removed job no longer fires");
  await sched.stop();
});

for (const policy of ["skip", "run-once"] as const) {
  Deno.test(`missed runs after downtime: ${policy}`, async () => {
    using s = await setup(policy);
    const first = s.make();
    await first.start();
    await first.add({
      name: "hourly",
      schedule: { kind: "cron", expr: "0 * * * *", tz: "UTC" },
      payload: { message: "h" },
    });
    await first.stop();
    // Down for 5 hours: the clock moves but no scheduler is running.
    await s.clock.advance(5 * 3_600_000 + 10 * 60_000);
    assert.equal(s.fired.length, 0);
    const second = s.make();
    await second.start();
    await second.idle();
    assert.deepEqual(s.fired.map((f) => f.at), policy === "run-once" ? ["2026-01-05T13:10:00.000Z"] : []);
    await s.clock.advance(50 * 60_000);
    await second.idle();
    assert.equal(s.fired.at(-1)?.at, "2026-01-05T14:00:00.000Z");
    await second.stop();
  });
}

Deno.test("cron tool: owner adds, lists and removes; others are refused; bad input is reported", async () => {
  using s = await setup();
  await using env = await toolsEnv();
  const sched = s.make();
  await sched.start();
  const tool = createCronTool({ scheduler: sched, isOwner: (ctx) => ctx.sessionKey === "agent:main:main" });
  const reg = toolsRegistry([tool], { config: toolsConfig({ tools: { profile: "full" } }) });
  const add = await reg.execute("cron", {
    action: "add",
    name: "standup",
    schedule: { kind: "cron", expr: "0 9 * * 1-5", tz: "Europe/Berlin" },
    message: "Summarise my day",
  }, env.ctx());
  assert.match(
    add.content,
    /^Added cron_\w+ \(cron 0 9 \* \* 1-5 \(Europe\/Berlin\)\), next 2026-01-06T08:00:00.000Z$/,
  );
  const id = /Added (cron_\w+)/.exec(add.content)![1]!;
  assert.match(
    (await reg.execute("cron", { action: "list" }, env.ctx())).content,
    new RegExp(`${id} standup`),
  );
  const other = await reg.execute(
    "cron",
    { action: "list" },
    env.ctx({ sessionKey: "agent:main:telegram:group:1" }),
  );
  assert.match(other.content, /^Denied: only the owner/);
  const bad = await reg.execute("cron", {
    action: "add",
    name: "x",
    schedule: { kind: "cron", expr: "61 * * * *" },
    message: "m",
  }, env.ctx());
  assert.match(bad.content, /^InvalidInput: .*invalid 5-field cron/s);
  const badTz = await reg.execute("cron", {
    action: "add",
    name: "x",
    schedule: { kind: "cron", expr: "0 * * * *", tz: "Mars/Olympus" },
    message: "m",
  }, env.ctx());
  assert.match(badTz.content, /unknown IANA time zone/);
  const past = await reg.execute("cron", {
    action: "add",
    name: "p",
    schedule: { kind: "at", at: "2020-01-01T00:00:00Z" },
    message: "m",
  }, env.ctx());
  assert.match(past.content, /^InvalidInput: .*never fires/);
  assert.match((await reg.execute("cron", { action: "remove", id }, env.ctx())).content, /^Removed/);
  assert.match((await reg.execute("cron", { action: "remove", id }, env.ctx())).content, /^NotFound/);
  await sched.stop();
});
