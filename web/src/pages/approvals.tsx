/** @jsxImportSource preact */
/** Approvals: pending exec calls (exact command, cwd, session) with allow once / always / deny, and history. */
import { useEffect } from "preact/hooks";
import { commandLine, fmtTime } from "../lib/format.ts";
import { type Approval, ApprovalCard, principalText } from "../ui/approval_card.tsx";
import { Badge, ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

export function Approvals({ client, nav }: PageProps) {
  const list = useRequest<{ approvals?: Approval[] }>(client, "approvals.list");
  const history = useRequest<{ approvals?: Approval[] }>(client, "approvals.history", { limit: 50 });
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
  return (
    <Page title="Approvals" actions={<button type="button" onClick={reload}>Refresh</button>}>
      <ErrorLine error={list.error} code={list.errorCode} />
      <h2>Pending</h2>
      {pending.length === 0 && !list.loading && (
        <p class="muted" id="no-pending">Nothing waits for approval.</p>
      )}
      <div class="cards">
        {pending.map((a) => (
          <ApprovalCard
            key={a.id}
            client={client}
            approval={a}
            nav={nav}
            onDone={reload}
          />
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
                  <th>Principal</th>
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
                      <td class="small">{principalText(a.principal) ?? "—"}</td>
                      <td>{a.runId ? <RunLink runId={a.runId} nav={nav} label="timeline" /> : "—"}</td>
                    </tr>
                  );
                })}
                {done.length === 0 && !history.loading && (
                  <tr>
                    <td colSpan={6} class="muted">No decisions yet.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
    </Page>
  );
}
