/**
 * The cron gateway methods against a real gateway: add (validation errors say which field), list, update,
 * run now (a real agent run whose id the history keeps), remove — and a read or write credential may read
 * but is refused every change.
 */
import assert from "node:assert/strict";
import { connectGateway } from "../../src/gateway/client.ts";
import { startTestGateway } from "../helpers/gateway.ts";

interface JobView {
  id: string;
  name: string;
  enabled: boolean;
  describe: string;
  agentId: string;
  nextRunAt?: number;
  lastStatus?: string;
  lastRunId?: string;
}

Deno.test({
  name: "cron methods: add, list, update, run now with history, remove; non-admin refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using gw = await startTestGateway({
      agents: { defaults: { model: { primary: "echo/echo" } }, list: [{ id: "main" }, { id: "helper" }] },
    });
    const admin = await gw.connect();
    let id = "";
    try {
      await t.step("add validates: bad cron expression, unknown agent, empty name", async () => {
        await assert.rejects(
          admin.request("cron.add", { name: "x", message: "hi", schedule: { kind: "cron", expr: "nope" } }),
          /schedule\.expr: invalid 5-field cron expression/,
        );
        await assert.rejects(
          admin.request("cron.add", {
            name: "x",
            message: "hi",
            agentId: "ghost",
            schedule: { kind: "every", everyMs: 60_000 },
          }),
          /agentId: unknown agent "ghost"/,
        );
        await assert.rejects(
          admin.request("cron.add", {
            name: " ",
            message: "hi",
            schedule: { kind: "every", everyMs: 60_000 },
          }),
          /name: must not be empty/,
        );
        await assert.rejects(
          admin.request("cron.add", {
            name: "past",
            message: "hi",
            schedule: { kind: "at", at: "2020-01-01T00:00:00Z" },
          }),
          /schedule: .*never fires/,
        );
        assert.deepEqual((await admin.request<{ jobs: unknown[] }>("cron.list", {})).jobs, []);
      });

      await t.step("add and list: schedule, next run, agent", async () => {
        const { job } = await admin.request<{ job: JobView }>("cron.add", {
          name: "daily digest",
          message: "summarise",
          agentId: "helper",
          schedule: { kind: "cron", expr: "0 9 * * 1-5", tz: "Europe/Berlin" },
        });
        id = job.id;
        const { jobs, schedulerOn } = await admin.request<{ jobs: JobView[]; schedulerOn: boolean }>(
          "cron.list",
          {},
        );
        assert.equal(schedulerOn, true);
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]!.describe, "cron 0 9 * * 1-5 (Europe/Berlin)");
        assert.equal(jobs[0]!.agentId, "helper");
        assert.ok(jobs[0]!.nextRunAt! > Date.now());
        assert.equal(jobs[0]!.lastStatus, undefined);
        const audit = await gw.store.audit.list({ kind: "cron.job" });
        assert.equal(audit.length, 1);
      });

      await t.step("update: turn off, new schedule, turn on", async () => {
        const off = await admin.request<{ job: JobView }>("cron.update", { id, enabled: false });
        assert.equal(off.job.enabled, false);
        assert.equal(off.job.nextRunAt, undefined);
        const on = await admin.request<{ job: JobView }>("cron.update", {
          id,
          enabled: true,
          schedule: { kind: "every", everyMs: 3_600_000 },
          name: "hourly",
        });
        assert.equal(on.job.name, "hourly");
        assert.equal(on.job.describe, "every 60m");
        assert.ok(on.job.nextRunAt! > Date.now());
        await assert.rejects(
          admin.request("cron.update", { id: "cron_nope", enabled: false }),
          /NOT_FOUND|No cron/,
        );
        await assert.rejects(
          admin.request("cron.update", { id, schedule: { kind: "every", everyMs: 10 } }),
          /schedule\.everyMs/,
        );
        await assert.rejects(admin.request("cron.update", { id, agentId: "ghost" }), /unknown agent "ghost"/);
        await assert.rejects(admin.request("cron.runs", { id: "cron_nope" }), /No cron job/);
        await assert.rejects(admin.request("cron.run", { id: "cron_nope" }), /No cron job/);
        const { jobs } = await admin.request<{ jobs: JobView[] }>("cron.list", {});
        assert.equal(jobs[0]!.describe, "every 60m", "refused updates change nothing");
      });

      await t.step("run now: a real agent run, kept in the history with its run id", async () => {
        const { runId } = await admin.request<{ runId: string }>("cron.run", { id });
        assert.match(runId, /^run_/);
        const deadline = Date.now() + 60_000;
        let runs: { runId?: string; ok?: boolean; summary?: string }[] = [];
        while (Date.now() < deadline) {
          runs = (await admin.request<{ runs: typeof runs }>("cron.runs", { id })).runs;
          if (runs[0]?.ok !== undefined) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(runs[0]?.ok, true, `the run did not finish in 60 s: ${JSON.stringify(runs)}`);
        assert.equal(runs[0]?.runId, runId);
        assert.match(runs[0]?.summary ?? "", /summarise/);
        const timeline = await admin.request<{ milestones: { kind: string }[] }>("runs.timeline", { runId });
        assert.ok(timeline.milestones.some((m) => m.kind === "run.end"), "the timeline has the run");
        const { jobs } = await admin.request<{ jobs: JobView[] }>("cron.list", {});
        assert.equal(jobs[0]!.lastStatus, "ok");
        assert.equal(jobs[0]!.lastRunId, runId);
      });

      await t.step("a run left open by a stopped gateway is interrupted, not running forever", async () => {
        await gw.store.db.run(
          "INSERT INTO cron_runs (job_id, scheduled_at, started_at, run_id) VALUES (?, ?, ?, ?)",
          [id, Date.now() - 5000, Date.now() - 5000, "run_cut"],
        );
        const { jobs } = await admin.request<{ jobs: JobView[] }>("cron.list", {});
        assert.equal(jobs[0]!.lastStatus, "interrupted");
      });

      await t.step("read and write credentials read but cannot change anything", async () => {
        for (const scope of ["read", "write"] as const) {
          const token = scope[0]!.repeat(40);
          await gw.store.credentials.put({ name: `cron-${scope}`, kind: "operator", scopes: [scope], token });
          await gw.auth.reload();
          const c = await connectGateway({ url: gw.wsUrl, token, timeoutMs: 30_000 });
          try {
            assert.equal((await c.request<{ jobs: unknown[] }>("cron.list", {})).jobs.length, 1);
            assert.ok((await c.request<{ runs: unknown[] }>("cron.runs", { id })).runs.length >= 1);
            const attempts: [string, unknown][] = [
              ["cron.add", { name: "x", message: "y", schedule: { kind: "every", everyMs: 60_000 } }],
              ["cron.update", { id, enabled: false }],
              ["cron.run", { id }],
              ["cron.remove", { id }],
            ];
            for (const [method, params] of attempts) {
              await assert.rejects(c.request(method, params), /FORBIDDEN|admin scope/, `${scope} ${method}`);
            }
          } finally {
            await c.close();
          }
        }
        const { jobs } = await admin.request<{ jobs: JobView[] }>("cron.list", {});
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]!.enabled, true);
      });

      await t.step("remove", async () => {
        assert.deepEqual(await admin.request("cron.remove", { id }), { removed: id });
        await assert.rejects(admin.request("cron.remove", { id }), /No cron job/);
        assert.deepEqual((await admin.request<{ jobs: unknown[] }>("cron.list", {})).jobs, []);
      });
    } finally {
      await admin.close();
    }
  },
});
