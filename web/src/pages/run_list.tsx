/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * The Runs page's list: runs in progress (running, queued — their times count up live) above recent
 * finished runs, with filters; a row opens its timeline. The list is read again when a run starts or
 * ends (the `agent` lifecycle events) and every 5 s while something is in progress.
 */
import { useEffect, useRef, useState } from "preact/hooks";
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
  startedAt: number;
  /** Null while in progress. */
  endedAt: number | null;
  /** When the run itself began (in progress only; null while queued). */
  runStartedAt?: number | null;
  ms: number | null;
  endToEndMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const TONES: Record<string, "ok" | "warn" | "muted"> = { ok: "ok", running: "warn", queued: "muted" };

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
  const runs = list.data?.runs ?? [];
  const active = runs.some((r) => r.endedAt === null);
  const now = useLiveRuns(client, active, list.reload);
  if (list.unavailable) return <Unavailable method="runs.list" what="The run list" />;
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
            {["running", "queued", "ok", "error", "aborted", "timeout"].map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
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
                    {r.endedAt === null ? "in progress" : fmtTime(r.endedAt)}
                  </Link>
                </td>
                <td>
                  <Badge tone={TONES[r.status] ?? "err"}>{r.status}</Badge>
                </td>
                <td class="small">{[r.principal, r.channel].filter(Boolean).join(" · ") || "—"}</td>
                <td class="small">{r.sessionKey ?? "—"}</td>
                <td class="small">{r.model ?? "—"}</td>
                <td class={r.endedAt === null ? "run-active" : ""}>
                  {r.endedAt === null
                    ? (r.runStartedAt ? fmtDuration(now - r.runStartedAt) : "—")
                    : fmtDuration(r.ms ?? undefined)}
                </td>
                <td class={r.endedAt === null ? "run-active" : ""}>
                  {fmtDuration(r.endToEndMs ?? now - r.startedAt)}
                </td>
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

/**
 * Keeps the list live: reads it again when a run starts or ends, every 5 s while runs are in progress,
 * and returns the current time, ticking each second while they are (for their running durations).
 */
function useLiveRuns(client: UiClient, active: boolean, reload: () => void): number {
  const [now, setNow] = useState(Date.now());
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => void client.subscribe({ events: ["agent"] }), [client]);
  useEvent(client, "agent", (p) => {
    const e = p as { stream?: string; data?: { phase?: string } };
    if (e.stream !== "lifecycle" || (e.data?.phase !== "start" && e.data?.phase !== "end")) return;
    // Several runs ending together are read once.
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, 200);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => {
    if (!active) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const poll = setInterval(reload, 5000);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
    };
  }, [active, reload]);
  return now;
}
