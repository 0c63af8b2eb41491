/** @jsxImportSource preact */
/// <reference lib="dom" />
/** The add/edit form of a cron job (admin). The gateway validates; its errors are shown in the form. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { UiClient } from "../lib/gateway_client.ts";
import {
  type CronForm,
  type CronJobView,
  emptyForm,
  fieldsInError,
  type FormField,
  formOf,
  paramsOf,
} from "../lib/cron_form.ts";

export function CronJobForm(
  props: { client: UiClient; agents: string[]; job?: CronJobView; onDone(job?: CronJobView): void },
) {
  const { job } = props;
  const [f, setF] = useState<CronForm>(() => job ? formOf(job) : emptyForm(props.agents[0] ?? ""));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const bad = new Set<FormField>(error ? fieldsInError(error) : []);
  const set = (patch: Partial<CronForm>) => setF((x) => ({ ...x, ...patch }));
  const val = (e: Event) => (e.target as HTMLInputElement).value;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await props.client.request<{ job: CronJobView }>(
        job ? "cron.update" : "cron.add",
        paramsOf(f, job?.id),
      );
      props.onDone(r.job);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: FormField, label: string, input: ComponentChildren, help?: string) => (
    <div class={bad.has(name) ? "field invalid" : "field"}>
      <label for={`cron-${name}`}>{label}</label>
      {input}
      {help && <span class="help">{help}</span>}
    </div>
  );
  const invalid = (name: FormField) =>
    bad.has(name) ? { "aria-invalid": true, "aria-describedby": "cron-form-error" } : {};
  return (
    <form
      id="cron-form"
      class="card"
      aria-label={job ? `Edit cron job ${job.name}` : "Add a cron job"}
      onSubmit={(e) => (e.preventDefault(), void submit())}
    >
      <h2>{job ? `Edit ${job.name}` : "Add a job"}</h2>
      {error && <div class="error" role="alert" id="cron-form-error">{error}</div>}
      <fieldset>
        {field(
          "name",
          "Name",
          <input
            id="cron-name"
            type="text"
            value={f.name}
            onInput={(e) => set({ name: val(e) })}
            {...invalid("name")}
          />,
        )}
        <div class="field">
          <label for="cron-kind">Schedule</label>
          <select id="cron-kind" value={f.kind} onChange={(e) => set({ kind: val(e) as CronForm["kind"] })}>
            <option value="every">every N minutes</option>
            <option value="cron">cron expression</option>
            <option value="at">once, at a time</option>
          </select>
        </div>
        {f.kind === "every" && field(
          "schedule",
          "Every (minutes)",
          <input
            id="cron-schedule"
            type="text"
            inputMode="decimal"
            value={f.every}
            onInput={(e) => set({ every: val(e) })}
            {...invalid("schedule")}
          />,
          "At least 1 second (0.0167 min).",
        )}
        {f.kind === "cron" && field(
          "schedule",
          "Cron expression",
          <input
            id="cron-schedule"
            type="text"
            value={f.expr}
            onInput={(e) => set({ expr: val(e) })}
            {...invalid("schedule")}
          />,
          "5 fields: minute hour day month weekday, e.g. 0 9 * * 1-5",
        )}
        {f.kind === "cron" && (
          <div class="field">
            <label for="cron-tz">Time zone</label>
            <input
              id="cron-tz"
              type="text"
              value={f.tz}
              onInput={(e) => set({ tz: val(e) })}
              {...invalid("schedule")}
            />
          </div>
        )}
        {f.kind === "at" && field(
          "schedule",
          "At (ISO time)",
          <input
            id="cron-schedule"
            type="text"
            placeholder="2026-12-24T18:00:00Z"
            value={f.at}
            onInput={(e) => set({ at: val(e) })}
            {...invalid("schedule")}
          />,
        )}
        {field(
          "agentId",
          "Agent",
          <select
            id="cron-agentId"
            value={f.agentId}
            onChange={(e) => set({ agentId: val(e) })}
            {...invalid("agentId")}
          >
            {props.agents.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>,
        )}
        {field(
          "sessionKey",
          "Session key (optional)",
          <input
            id="cron-sessionKey"
            type="text"
            placeholder={job ? `cron:${job.id}` : "cron:<job id>"}
            value={f.sessionKey}
            onInput={(e) => set({ sessionKey: val(e) })}
            {...invalid("sessionKey")}
          />,
        )}
        <div class="field">
          <label for="cron-enabled">Enabled</label>
          <input
            id="cron-enabled"
            type="checkbox"
            checked={f.enabled}
            onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })}
          />
        </div>
      </fieldset>
      {field(
        "message",
        "Message (what the agent is asked each time)",
        <textarea
          id="cron-message"
          rows={3}
          value={f.message}
          onInput={(e) => set({ message: val(e) })}
          {...invalid("message")}
        />,
        "Runs as the cron principal with the agent's configured tools.",
      )}
      <div class="buttons">
        <button type="submit" class="primary" id="cron-save" disabled={busy}>
          {job ? "Save job" : "Add job"}
        </button>
        <button type="button" class="ghost" onClick={() => props.onDone()}>Cancel</button>
      </div>
    </form>
  );
}
