/** @jsxImportSource preact */
/// <reference lib="dom" />
/** The Runs page's list: recent finished runs with filters; a row opens its timeline. */
import { useState } from "preact/hooks";
import { fmtDuration, fmtInt, fmtTime, fmtUsd } from "../lib/format.ts";
import type { UiClient } from "../lib/gateway_client.ts";
import { Badge, ErrorLine, Link, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

interface RunRow {
  runId: string;
  status: string;
  channel: string | null;
  principal: string | null;
  sessionKey: string | null;
  model: string | null;
  endedAt: number;
  ms: number | null;
  endToEndMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const WINDOWS: [string, number][] = [["last hour", 3600_000], ["24 hours", 86_400_000], [
  "7 days",
  7 * 86_400_000,
], ["all", 0]];

export function RunList({ client, nav }: { client: UiClient; nav(path: string): void }) {
  const [status, setStatus] = useState("");
  const [channel, setChannel] = useState("");
  const [session, setSession] = useState("");
  const [windowMs, setWindowMs] = useState(0);
  const params = {
    ...(status ? { status } : {}),
    ...(channel.trim() ? { channel: channel.trim() } : {}),
    ...(session.trim() ? { sessionKey: session.trim() } : {}),
    ...(windowMs ? { since: Date.now() - windowMs } : {}),
    limit: 100,
  };
  const list = useRequest<{ runs?: RunRow[] }>(client, "runs.list", params, JSON.stringify(params));
  useEvent(client, "run.end", () => list.reload());
  if (list.unavailable) return <Unavailable method="runs.list" what="The run list" />;
  const runs = list.data?.runs ?? [];
  return (
    <section aria-label="Recent runs">
      <h2>Recent runs</h2>
      <div class="filters">
        <label>
          Status{" "}
          <select
            id="runs-status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            {["ok", "error", "aborted", "timeout"].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Channel{" "}
          <input
            id="runs-channel"
            value={channel}
            placeholder="webchat, telegram…"
            onChange={(e) => setChannel((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Session{" "}
          <input
            id="runs-session"
            value={session}
            placeholder="agent:main:main"
            onChange={(e) => setSession((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Time{" "}
          <select
            id="runs-window"
            value={String(windowMs)}
            onChange={(e) => setWindowMs(Number((e.target as HTMLSelectElement).value))}
          >
            {WINDOWS.map(([l, ms]) => <option key={l} value={String(ms)}>{l}</option>)}
          </select>
        </label>
      </div>
      <ErrorLine error={list.error} code={list.errorCode} />
      <div class="table-wrap">
        <table id="runs-table">
          <thead>
            <tr>
              <th>Ended</th>
              <th>Status</th>
              <th>Principal / channel</th>
              <th>Session</th>
              <th>Model</th>
              <th>Run</th>
              <th>End to end</th>
              <th>Tokens</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId} data-run={r.runId} data-status={r.status}>
                <td>
                  <Link href={`/runs?run=${encodeURIComponent(r.runId)}`} nav={nav} class="runlink">
                    {fmtTime(r.endedAt)}
                  </Link>
                </td>
                <td>
                  <Badge tone={r.status === "ok" ? "ok" : "err"}>{r.status}</Badge>
                </td>
                <td class="small">{[r.principal, r.channel].filter(Boolean).join(" · ") || "—"}</td>
                <td class="small">{r.sessionKey ?? "—"}</td>
                <td class="small">{r.model ?? "—"}</td>
                <td>{fmtDuration(r.ms ?? undefined)}</td>
                <td>{fmtDuration(r.endToEndMs)}</td>
                <td>{fmtInt(r.inputTokens + r.outputTokens)}</td>
                <td>{fmtUsd(r.costUsd)}</td>
              </tr>
            ))}
            {runs.length === 0 && !list.loading && (
              <tr>
                <td colSpan={9} class="muted">No runs match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
