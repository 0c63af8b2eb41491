/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Cron: jobs with schedule, next and last run, last status; enable/disable, run now, edit, remove
 * (admin); a job's history (`?job=<id>`) with a link to each run's timeline.
 */
import { useEffect, useState } from "preact/hooks";
import { type CronJobView, rowStatus, type RunStatus } from "../lib/cron_form.ts";
import { fmtDuration, fmtTime } from "../lib/format.ts";
import { isAdmin } from "../ui/approval_card.tsx";
import { Badge, ErrorLine, Link, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { CronJobForm } from "../ui/cron_form.tsx";
import { useRequest } from "../ui/hooks.ts";

interface CronRunRow {
  id: number;
  scheduledAt: number;
  startedAt: number;
  endedAt?: number;
  ok?: boolean;
  summary?: string;
  runId?: string;
}

const TONE = { ok: "ok", error: "err", running: "warn", interrupted: "err" } as const;

function StatusBadge(props: { status?: RunStatus }) {
  if (!props.status) return <Badge>never ran</Badge>;
  return <Badge tone={TONE[props.status]}>{props.status}</Badge>;
}

export function Cron({ client, nav, query }: PageProps) {
  const list = useRequest<{ jobs?: CronJobView[]; agents?: string[]; schedulerOn?: boolean }>(
    client,
    "cron.list",
  );
  const [editing, setEditing] = useState<CronJobView | "new">();
  const [err, setErr] = useState<string>();
  const [note, setNote] = useState<string>();
  /** Bumped by every action, so the history is read again. */
  const [version, setVersion] = useState(0);
  const admin = isAdmin(client);
  const selected = query.get("job") ?? undefined;
  if (list.unavailable) {
    return (
      <Page title="Cron">
        <Unavailable method="cron.list" what="Cron jobs" />
      </Page>
    );
  }
  const jobs = list.data?.jobs ?? [];
  const act = async (method: string, params: Record<string, unknown>, done?: (r: unknown) => void) => {
    setErr(undefined);
    setNote(undefined);
    try {
      // Not `done?.(await …)`: an optional call skips evaluating its argument when `done` is absent.
      const r = await client.request(method, params);
      done?.(r);
    } catch (e) {
      setErr((e as Error).message);
    }
    list.reload();
    setVersion((v) => v + 1);
  };
  const runNow = (j: CronJobView) =>
    act("cron.run", { id: j.id }, (r) => {
      setNote(`${j.name} started as ${(r as { runId: string }).runId}.`);
      nav(`/cron?job=${encodeURIComponent(j.id)}`);
    });
  return (
    <Page
      title="Cron"
      actions={admin && !editing && (
        <button
          type="button"
          class="primary"
          id="cron-new"
          onClick={() => setEditing("new")}
        >
          Add job
        </button>
      )}
    >
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      {note && <div class="notice" role="status" id="cron-note">{note}</div>}
      {list.data?.schedulerOn === false && (
        <div class="notice warn" role="status">
          The scheduler is off (<code>cron.enabled</code> is false): jobs run only with Run now.
        </div>
      )}
      {editing && (
        <CronJobForm
          key={editing === "new" ? "new" : editing.id}
          client={client}
          agents={list.data?.agents ?? []}
          job={editing === "new" ? undefined : editing}
          onDone={(job) => {
            setEditing(undefined);
            if (job) setNote(`Saved ${job.name}.`);
            list.reload();
          }}
        />
      )}
      <div class="table-wrap">
        <table id="cron-table">
          <thead>
            <tr>
              <th>Job</th>
              <th>Schedule</th>
              <th>Agent</th>
              <th>Next run</th>
              <th>Last run</th>
              <th>Last status</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-job={j.id} class={j.id === selected ? "selected" : ""}>
                <td>
                  <Link href={`/cron?job=${encodeURIComponent(j.id)}`} nav={nav}>{j.name}</Link>
                  {!j.enabled && (
                    <>
                      <Badge>off</Badge>
                    </>
                  )}
                </td>
                <td class="small">{j.describe}</td>
                <td>{j.agentId}</td>
                <td class="next">{j.enabled ? fmtTime(j.nextRunAt) : "—"}</td>
                <td>{fmtTime(j.lastRunAt)}</td>
                <td class="status" title={j.lastSummary}>
                  <StatusBadge status={j.lastStatus} />
                  {j.lastRunId && (
                    <>
                      {" "}
                      <RunLink runId={j.lastRunId} nav={nav} label="timeline" />
                    </>
                  )}
                </td>
                <td>
                  {admin && (
                    <div class="buttons">
                      <button
                        type="button"
                        class="run-now"
                        onClick={() => runNow(j)}
                        aria-label={`Run ${j.name} now`}
                      >
                        Run now
                      </button>
                      <button
                        type="button"
                        class="toggle"
                        aria-label={`${j.enabled ? "Disable" : "Enable"} ${j.name}`}
                        onClick={() => act("cron.update", { id: j.id, enabled: !j.enabled })}
                      >
                        {j.enabled ? "Disable" : "Enable"}
                      </button>
                      <button
                        type="button"
                        class="edit"
                        aria-label={`Edit ${j.name}`}
                        onClick={() => setEditing(j)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="danger remove"
                        aria-label={`Remove ${j.name}`}
                        onClick={() =>
                          confirm(`Remove ${j.name}? Its history stays.`) && act("cron.remove", { id: j.id })}
                      >
                        Remove
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {jobs.length === 0 && !list.loading && (
              <tr>
                <td colSpan={7} class="muted">No cron jobs{admin ? " — add one above." : "."}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {selected && (
        <History
          client={client}
          nav={nav}
          job={jobs.find((j) => j.id === selected)}
          id={selected}
          changed={list.reload}
          version={version}
        />
      )}
    </Page>
  );
}

/** A job's past runs, newest first; re-read every second while one is running. */
function History(
  props: {
    client: PageProps["client"];
    nav: PageProps["nav"];
    id: string;
    job?: CronJobView;
    version: number;
    changed(): void;
  },
) {
  const { client } = props;
  const runs = useRequest<{ runs?: CronRunRow[] }>(
    client,
    "cron.runs",
    { id: props.id, limit: 50 },
    `${props.id}:${props.version}`,
  );
  const rows = runs.data?.runs ?? [];
  const running = props.job?.lastStatus === "running";
  // No event announces a cron run's progress: re-read while one is running (the job row too).
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (client.status !== "open") return;
      runs.reload();
      props.changed();
    }, 1000);
    return () => clearInterval(timer);
  }, [running, props.id]);
  return (
    <section aria-labelledby="cron-history-title">
      <h2 id="cron-history-title">History of {props.job?.name ?? props.id}</h2>
      <ErrorLine error={runs.error} code={runs.errorCode} />
      <div class="table-wrap">
        <table id="cron-history">
          <thead>
            <tr>
              <th>Started</th>
              <th>Scheduled</th>
              <th>Took</th>
              <th>Status</th>
              <th>Summary</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-run={r.runId ?? ""}>
                <td>{fmtTime(r.startedAt)}</td>
                <td>{fmtTime(r.scheduledAt)}</td>
                <td>{r.endedAt ? fmtDuration(r.endedAt - r.startedAt) : "…"}</td>
                <td class="status">
                  <StatusBadge status={rowStatus(r, r === rows[0], props.job?.lastStatus)} />
                </td>
                <td class="small">{r.summary ?? ""}</td>
                <td>{r.runId ? <RunLink runId={r.runId} nav={props.nav} label="timeline" /> : "—"}</td>
              </tr>
            ))}
            {rows.length === 0 && !runs.loading && (
              <tr>
                <td colSpan={6} class="muted">This job has not run yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
