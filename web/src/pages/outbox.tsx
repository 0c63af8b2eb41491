/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Outbox: reply chunks that could not be delivered (dead letters), with retry and drop (admin). */
import { useState } from "preact/hooks";
import { fmtTime, preview } from "../lib/format.ts";
import { isAdmin } from "../ui/approval_card.tsx";
import { ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

interface OutboxItem {
  id: number;
  runId: string;
  target: { channel: string; accountId: string; to: string };
  chunkIndex: number;
  payload: unknown;
  state: string;
  attempts: number;
  lastError?: string;
  updatedAt: number;
}

export function Outbox({ client, nav }: PageProps) {
  const [state, setState] = useState("dead");
  const list = useRequest<{ items?: OutboxItem[]; counts?: Record<string, number> }>(
    client,
    "outbox.list",
    { state, limit: 200 },
    state,
  );
  const [err, setErr] = useState<string>();
  const admin = isAdmin(client);
  if (list.unavailable) {
    return (
      <Page title="Outbox">
        <Unavailable method="outbox.list" what="The outbox" />
      </Page>
    );
  }
  const act = async (method: string, id: number) => {
    setErr(undefined);
    try {
      await client.request(method, { id });
    } catch (e) {
      setErr((e as Error).message);
    }
    list.reload();
  };
  const items = list.data?.items ?? [];
  const counts = list.data?.counts ?? {};
  return (
    <Page
      title="Outbox"
      actions={
        <label>
          State{" "}
          <select
            id="outbox-state"
            value={state}
            onChange={(e) => setState((e.target as HTMLSelectElement).value)}
          >
            {["dead", "pending", "sending", "sent"].map((s) => (
              <option key={s} value={s}>{s} ({counts[s] ?? 0})</option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      <div class="table-wrap">
        <table id="outbox-table">
          <thead>
            <tr>
              <th>Updated</th>
              <th>Target</th>
              <th>Text</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Run</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id} data-outbox={o.id}>
                <td>{fmtTime(o.updatedAt)}</td>
                <td class="small">{o.target.channel}:{o.target.accountId} → {o.target.to}</td>
                <td class="small">{preview(o.payload, 120)}</td>
                <td>{o.attempts}</td>
                <td class="small">{o.lastError ?? "—"}</td>
                <td>
                  <RunLink runId={o.runId} nav={nav} label="timeline" />
                </td>
                <td>
                  {admin && o.state === "dead" && (
                    <div class="buttons">
                      <button type="button" class="retry" onClick={() => act("outbox.retry", o.id)}>
                        Retry
                      </button>
                      <button type="button" class="danger drop" onClick={() => act("outbox.drop", o.id)}>
                        Drop
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {items.length === 0 && !list.loading && (
              <tr>
                <td colSpan={7} class="muted">Nothing in this state.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
