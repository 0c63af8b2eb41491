/** The scheduler's update (new schedule, on/off) and run-now, on a fake clock; history keeps the run id. */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createCronJobRepo } from "../../src/cron/job_repo.ts";
import { createCronScheduler } from "../../src/cron/scheduler.ts";
import { manualClock } from "../fakes/tools_clock.ts";

const T0 = Date.parse("2026-01-05T08:00:00Z");

async function setup() {
  const store = await openStore({ url: ":memory:" });
  const clock = manualClock(T0);
  const fired: { job: string; runId: string; at: number }[] = [];
  let release: (() => void) | undefined;
  const sched = createCronScheduler({
    repo: createCronJobRepo(store.db),
    clock,
    config: { enabled: true, missedRuns: "skip" },
    runJob: async (job, { runId }) => {
      fired.push({ job: job.name, runId, at: clock.now() });
      if (job.payload.message === "hold") await new Promise<void>((r) => release = r);
      return { ok: job.payload.message !== "fail", summary: `did ${job.payload.message}` };
    },
  });
  await sched.start();
  return {
    sched,
    clock,
    fired,
    release: () => release?.(),
    async [Symbol.asyncDispose]() {
      await sched.stop();
      store.close();
    },
  };
}

Deno.test("update: a new schedule moves the next run; off stops firing; on computes the next time", async () => {
  await using s = await setup();
  const job = await s.sched.add({
    name: "j",
    schedule: { kind: "every", everyMs: 60 * 60_000 },
    payload: { message: "x" },
  });
  assert.equal(job.nextRunAt, T0 + 60 * 60_000);
  const moved = await s.sched.update(job.id, {
    schedule: { kind: "cron", expr: "15 8 * * *", tz: "UTC" },
    name: "renamed",
  });
  assert.equal(moved.name, "renamed");
  assert.equal(moved.nextRunAt, Date.parse("2026-01-05T08:15:00Z"));
  const off = await s.sched.update(job.id, { enabled: false });
  assert.equal(off.enabled, false);
  assert.equal(off.nextRunAt, undefined);
  await s.clock.advance(20 * 60_000);
  await s.sched.idle();
  assert.deepEqual(s.fired, [], "a job turned off does not fire");
  const on = await s.sched.update(job.id, { enabled: true });
  assert.equal(on.nextRunAt, Date.parse("2026-01-06T08:15:00Z"));
});

Deno.test("update refuses a schedule that never fires again and an unknown job", async () => {
  await using s = await setup();
  const job = await s.sched.add({
    name: "j",
    schedule: { kind: "every", everyMs: 60_000 },
    payload: { message: "x" },
  });
  await assert.rejects(
    s.sched.update(job.id, { schedule: { kind: "at", at: "2025-01-01T00:00:00Z" } }),
    RangeError,
  );
  assert.equal((await s.sched.list())[0]!.schedule.kind, "every", "nothing changed");
  await assert.rejects(s.sched.update("cron_nope", { enabled: false }), /No cron job/);
});

Deno.test("runNow runs outside the schedule, records the run id, and refuses while running", async () => {
  await using s = await setup();
  const job = await s.sched.add({
    name: "h",
    schedule: { kind: "every", everyMs: 60 * 60_000 },
    payload: { message: "hold" },
  });
  const { runId } = await s.sched.runNow(job.id);
  assert.match(runId, /^run_/);
  await assert.rejects(s.sched.runNow(job.id), /running now/);
  assert.deepEqual(s.sched.runningIds(), [job.id]);
  // Wait (bounded) for the run to reach the job before releasing it.
  for (let i = 0; i < 200 && s.fired.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(s.fired.length, 1, "the job started");
  s.release();
  await s.sched.idle();
  const [run] = await s.sched.runs(job.id);
  assert.equal(run?.runId, runId);
  assert.equal(run?.ok, true);
  assert.equal(run?.summary, "did hold");
  assert.equal((await s.sched.list())[0]!.nextRunAt, T0 + 60 * 60_000, "the schedule is unchanged");
  await assert.rejects(s.sched.runNow("cron_nope"), /No cron job/);
});
