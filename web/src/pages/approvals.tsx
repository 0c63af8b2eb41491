/** @jsxImportSource preact */
/** Approvals: pending exec calls (exact command, cwd, session) with allow once / always / deny, and history. */
import { useEffect, useState } from "preact/hooks";
import { commandLine, fmtTime } from "../lib/format.ts";
import { Badge, ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

/** An exec approval as `approvals.list` / `approvals.history` send it. */
export interface Approval {
  id: string;
  tool: string;
  argv: string[];
  cwd: string;
  sessionKey?: string;
  runId?: string;
  status: string;
  createdAt: number;
  expiresAt: number;
  resolvedAt?: number;
  resolvedBy?: string;
  /** History only: allow-once, allow-always, deny, timeout or aborted. */
  decision?: string;
}

type Decision = "allow-once" | "allow-always" | "deny";

export function Approvals({ client, nav }: PageProps) {
  const list = useRequest<{ approvals?: Approval[] }>(client, "approvals.list");
  const history = useRequest<{ approvals?: Approval[] }>(client, "approvals.history", { limit: 50 });
  const [err, setErr] = useState<string>();
  const [busy, setBusy] = useState<string>();
  useEffect(() => void client.subscribe({ events: ["approval.requested", "approval.resolved"] }), []);
  const reload = () => (list.reload(), history.reload());
  useEvent(client, "approval.requested", reload);
  useEvent(client, "approval.resolved", reload);
  if (list.unavailable) {
    return (
      <Page title="Approvals">
        <Unavailable method="approvals.list" what="Approvals" />
      </Page>
    );
  }
  const pending = list.data?.approvals ?? [];
  const done = history.data?.approvals ?? [];
  const resolve = async (id: string, decision: Decision) => {
    setErr(undefined);
    setBusy(id);
    try {
      await client.request("approval.resolve", { id, decision });
      reload();
    } catch (e) {
      setErr((e as Error).message);
      list.reload();
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Page title="Approvals" actions={<button type="button" onClick={reload}>Refresh</button>}>
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      <h2>Pending</h2>
      {pending.length === 0 && !list.loading && (
        <p class="muted" id="no-pending">Nothing waits for approval.</p>
      )}
      <div class="cards">
        {pending.map((a) => (
          <div class="card approval" data-approval={a.id}>
            <div class="row">
              <strong>{a.tool}</strong>
              <span class="muted">
                asked {fmtTime(a.createdAt)} · expires {fmtTime(a.expiresAt)}
              </span>
            </div>
            <pre class="command">{commandLine(a.argv)}</pre>
            <dl class="kv">
              <dt>cwd</dt>
              <dd>
                <code>{a.cwd}</code>
              </dd>
              {a.sessionKey && (
                <>
                  <dt>session</dt>
                  <dd>{a.sessionKey}</dd>
                </>
              )}
              {a.runId && (
                <>
                  <dt>run</dt>
                  <dd>
                    <RunLink runId={a.runId} nav={nav} />
                  </dd>
                </>
              )}
            </dl>
            <div class="buttons">
              <button
                type="button"
                class="primary"
                disabled={busy === a.id}
                onClick={() => resolve(a.id, "allow-once")}
              >
                Allow once
              </button>
              <button type="button" disabled={busy === a.id} onClick={() => resolve(a.id, "allow-always")}>
                Allow always
              </button>
              <button
                type="button"
                class="danger"
                disabled={busy === a.id}
                onClick={() => resolve(a.id, "deny")}
              >
                Deny
              </button>
            </div>
          </div>
        ))}
      </div>
      <h2>History</h2>
      {history.unavailable
        ? <Unavailable method="approvals.history" what="Approval history" />
        : (
          <div class="table-wrap">
            <ErrorLine error={history.error} code={history.errorCode} />
            <table id="approval-history">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Command</th>
                  <th>Decision</th>
                  <th>By</th>
                  <th>Run</th>
                </tr>
              </thead>
              <tbody>
                {done.map((a) => {
                  const decision = a.decision ?? a.status;
                  return (
                    <tr data-approval={a.id} data-decision={decision}>
                      <td>{fmtTime(a.resolvedAt ?? a.createdAt)}</td>
                      <td>
                        <code>{commandLine(a.argv, 80)}</code>
                      </td>
                      <td>
                        <Badge tone={decision.startsWith("allow") ? "ok" : "err"}>{decision}</Badge>
                      </td>
                      <td class="small">{a.resolvedBy ?? "—"}</td>
                      <td>{a.runId ? <RunLink runId={a.runId} nav={nav} label="timeline" /> : "—"}</td>
                    </tr>
                  );
                })}
                {done.length === 0 && !history.loading && (
                  <tr>
                    <td colSpan={5} class="muted">No decisions yet.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
    </Page>
  );
}
