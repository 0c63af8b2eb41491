/** @jsxImportSource preact */
/** Approvals: pending tool calls (command, cwd, session) with allow once / always / deny, and history. */
import { useEffect, useState } from "preact/hooks";
import { fmtTime, preview } from "../lib/format.ts";
import { Badge, ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

interface Approval {
  id: string;
  tool?: string;
  command?: string;
  cwd?: string;
  args?: unknown;
  sessionKey?: string;
  runId?: string;
  agentId?: string;
  requestedAt?: number;
  status?: string;
  decision?: string;
  resolvedAt?: number;
  resolvedBy?: string;
}

function split(d: unknown): { pending: Approval[]; history: Approval[] } {
  if (Array.isArray(d)) {
    return {
      pending: d.filter((a) => !a.decision && (a.status ?? "pending") === "pending"),
      history: d.filter((a) => a.decision || (a.status && a.status !== "pending")),
    };
  }
  const o = (d ?? {}) as Record<string, unknown>;
  return { pending: (o.pending ?? []) as Approval[], history: (o.history ?? o.resolved ?? []) as Approval[] };
}

export function Approvals({ client, nav }: PageProps) {
  const list = useRequest<unknown>(client, "approvals.list");
  const [err, setErr] = useState<string>();
  useEffect(() => void client.subscribe({ events: ["approval.requested", "approval.resolved"] }), []);
  useEvent(client, "approval.requested", () => list.reload());
  useEvent(client, "approval.resolved", () => list.reload());
  if (list.unavailable) {
    return (
      <Page title="Approvals">
        <Unavailable method="approvals.list" what="Approvals" />
      </Page>
    );
  }
  const { pending, history } = split(list.data);
  const resolve = async (id: string, decision: "allow-once" | "allow-always" | "deny") => {
    setErr(undefined);
    try {
      await client.request("approval.resolve", { id, decision });
      list.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return (
    <Page title="Approvals" actions={<button type="button" onClick={list.reload}>Refresh</button>}>
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      <h2>Pending</h2>
      {pending.length === 0 && !list.loading && (
        <p class="muted" id="no-pending">Nothing waits for approval.</p>
      )}
      <div class="cards">
        {pending.map((a) => (
          <div class="card approval" data-approval={a.id}>
            <div class="row">
              <strong>{a.tool ?? "tool"}</strong> <span class="muted">{fmtTime(a.requestedAt)}</span>
            </div>
            {a.command && <pre class="command">{a.command}</pre>}
            {!a.command && a.args !== undefined && <pre class="command">{preview(a.args, 800)}</pre>}
            <dl class="kv">
              {a.cwd && (
                <>
                  <dt>cwd</dt>
                  <dd>
                    <code>{a.cwd}</code>
                  </dd>
                </>
              )}
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
              <button type="button" class="primary" onClick={() => resolve(a.id, "allow-once")}>
                Allow once
              </button>
              <button type="button" onClick={() => resolve(a.id, "allow-always")}>Allow always</button>
              <button type="button" class="danger" onClick={() => resolve(a.id, "deny")}>Deny</button>
            </div>
          </div>
        ))}
      </div>
      <h2>History</h2>
      <div class="table-wrap">
        <table id="approval-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Tool</th>
              <th>Command</th>
              <th>Decision</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {history.map((a) => (
              <tr data-approval={a.id}>
                <td>{fmtTime(a.resolvedAt ?? a.requestedAt)}</td>
                <td>{a.tool ?? "—"}</td>
                <td>
                  <code>{preview(a.command ?? a.args ?? "", 80)}</code>
                </td>
                <td>
                  <Badge tone={(a.decision ?? a.status ?? "").startsWith("allow") ? "ok" : "err"}>
                    {a.decision ?? a.status}
                  </Badge>
                </td>
                <td>{a.runId ? <RunLink runId={a.runId} nav={nav} label="timeline" /> : "—"}</td>
              </tr>
            ))}
            {history.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">No decisions yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
