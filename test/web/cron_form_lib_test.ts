/** The cron form's pure mapping (web/src/lib/cron_form.ts): form ↔ params, and fields named by an error. */
import assert from "node:assert/strict";
import { emptyForm, fieldsInError, formOf, paramsOf, rowStatus } from "../../web/src/lib/cron_form.ts";

Deno.test("cron form: a new job's params carry only what was given; minutes become everyMs", () => {
  const f = { ...emptyForm("main"), name: "n", message: "m", every: "1.5" };
  assert.deepEqual(paramsOf(f), {
    name: "n",
    schedule: { kind: "every", everyMs: 90_000 },
    message: "m",
    enabled: true,
    agentId: "main",
  });
  const cron = { ...f, kind: "cron" as const, expr: " 0 9 * * 1-5 ", tz: "", sessionKey: " s " };
  assert.deepEqual(paramsOf(cron).schedule, { kind: "cron", expr: "0 9 * * 1-5", tz: "UTC" });
  assert.equal(paramsOf(cron).sessionKey, "s");
  // Not a number: sent as such (NaN → null in JSON) for the gateway to refuse with its own message.
  assert.equal(JSON.stringify(paramsOf({ ...f, every: "soon" }).schedule), '{"kind":"every","everyMs":null}');
});

Deno.test("cron form: editing writes the whole job and clears what was emptied", () => {
  const job = {
    id: "cron_1",
    name: "j",
    schedule: { kind: "at" as const, at: "2027-01-01T00:00:00Z" },
    payload: { message: "hi", sessionKey: "k" },
    enabled: false,
    describe: "",
    agentId: "helper",
  };
  const f = formOf(job);
  assert.deepEqual([f.kind, f.at, f.sessionKey, f.enabled, f.agentId], [
    "at",
    job.schedule.at,
    "k",
    false,
    "helper",
  ]);
  const p = paramsOf({ ...f, sessionKey: "" }, job.id);
  assert.deepEqual(p, {
    id: "cron_1",
    name: "j",
    schedule: { kind: "at", at: job.schedule.at },
    message: "hi",
    enabled: false,
    agentId: "helper",
    sessionKey: null,
  });
  assert.equal(formOf({ ...job, schedule: { kind: "every", everyMs: 5_400_000 } }).every, "90");
});

Deno.test("cron form: the fields a gateway error names", () => {
  assert.deepEqual(
    fieldsInError(
      "Invalid params for cron.add: schedule.expr: invalid 5-field cron expression; name: must not be empty",
    ),
    ["name", "schedule"],
  );
  assert.deepEqual(fieldsInError('agentId: unknown agent "ghost"'), ["agentId"]);
  assert.deepEqual(fieldsInError("schedule: Schedule never fires after now"), ["schedule"]);
  assert.deepEqual(fieldsInError("No cron job x"), []);
});

Deno.test("cron history: an open row is running only while the job runs, else interrupted", () => {
  assert.equal(rowStatus({}, true, "running"), "running");
  assert.equal(rowStatus({}, false, "running"), "interrupted", "an older open row was cut short");
  assert.equal(rowStatus({}, true, "interrupted"), "interrupted");
  assert.equal(rowStatus({ endedAt: 1, ok: true }, true, "running"), "ok");
  assert.equal(rowStatus({ endedAt: 1, ok: false }, false, undefined), "error");
});
