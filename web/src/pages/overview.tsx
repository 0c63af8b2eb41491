/** @jsxImportSource preact */
/**
 * Overview: uptime, version, active runs, queue depth, and usage (runs, tokens, cost) per agent and model
 * for today, 7 or 30 days. A shard worker that is not running because nothing runs is "idle", not "down".
 */
import { useState } from "preact/hooks";
import { fmtDuration, fmtInt, fmtUsd } from "../lib/format.ts";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";

interface Status {
  version: string;
  uptimeMs: number;
  startedAt?: string;
  gateway?: { bind?: string; port?: number; connections?: number };
  agents?: string[];
  /** What bounds every tool call (talon gateway --allow-* flags and sandbox.outerBound). */
  sandbox?: { mode?: string; outerBound?: unknown; described?: string };
}
interface Lanes {
  shards?: { shard: number; alive: boolean; queueDepth: number; active: number; restarts: number }[];
  sessions?: { active: number; waiting: number };
}
interface UsageRow {
  agentId?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  runs?: number;
}

/** `usage.today` may answer a list or `{agents|rows: [...], total}`. */
function usageRows(u: unknown): UsageRow[] {
  if (Array.isArray(u)) return u;
  const o = (u ?? {}) as Record<string, unknown>;
  for (const k of ["agents", "rows", "byAgent", "usage"]) if (Array.isArray(o[k])) return o[k] as UsageRow[];
  return [];
}

export function Overview({ client }: PageProps) {
  const status = useRequest<Status>(client, "status");
  const lanes = useRequest<Lanes>(client, "lanes.status");
  const [days, setDays] = useState(1);
  const ranged = client.has("usage.summary");
  const usage = useRequest<unknown>(
    client,
    ranged ? "usage.summary" : "usage.today",
    ranged ? { days } : {},
    String(days),
  );
  const s = status.data;
  const shards = lanes.data?.shards ?? [];
  const active = shards.reduce((n, x) => n + x.active, 0);
  const depth = shards.reduce((n, x) => n + x.queueDepth, 0);
  const rows = usageRows(usage.data);
  const total = rows.reduce((n, r) => n + Number(r.costUsd ?? 0), 0);
  return (
    <Page
      title="Overview"
      actions={
        <button type="button" onClick={() => (status.reload(), lanes.reload(), usage.reload())}>
          Refresh
        </button>
      }
    >
      <ErrorLine error={status.error} code={status.errorCode} />
      <div class="stats">
        <div class="stat card">
          <span class="label">Version</span>
          <span class="value" id="ov-version">{s?.version ?? "…"}</span>
        </div>
        <div class="stat card">
          <span class="label">Uptime</span>
          <span class="value" id="ov-uptime">{s ? fmtDuration(s.uptimeMs) : "…"}</span>
        </div>
        <div class="stat card">
          <span class="label">Connections</span>
          <span class="value">{s?.gateway?.connections ?? "…"}</span>
        </div>
        <div class="stat card">
          <span class="label">State</span>
          <span class="value" id="ov-state">
            {lanes.unavailable ? "n/a" : !lanes.data ? "…" : active || depth ? "running" : "idle"}
          </span>
        </div>
        <div class="stat card">
          <span class="label">Active runs</span>
          <span class="value" id="ov-active">{lanes.unavailable ? "n/a" : lanes.data ? active : "…"}</span>
        </div>
        <div class="stat card">
          <span class="label">Queue depth</span>
          <span class="value" id="ov-queue">{lanes.unavailable ? "n/a" : lanes.data ? depth : "…"}</span>
        </div>
        <div class="stat card">
          <span class="label">Cost {days === 1 ? "today" : `${days} days`}</span>
          <span class="value" id="ov-cost">
            {usage.unavailable ? "n/a" : usage.data ? fmtUsd(total) : "…"}
          </span>
        </div>
      </div>
      {s?.sandbox && (
        <p class="muted" id="ov-bound">
          Tool calls are bounded by: {s.sandbox.outerBound
            ? <code>{s.sandbox.described}</code>
            : "no outer bound set (each call gets its tool policy, within the gateway's own permissions)"}
        </p>
      )}
      {lanes.unavailable && <Unavailable method="lanes.status" what="Run and queue status" />}
      <div class="row">
        <h2>Usage {days === 1 ? "today" : `last ${days} days`}</h2>
        {ranged && (
          <div class="segmented" role="group" aria-label="Usage period" id="usage-period">
            {[[1, "Today"], [7, "7 days"], [30, "30 days"]].map(([d, label]) => (
              <button
                type="button"
                key={d}
                data-days={d}
                aria-pressed={days === d}
                class={days === d ? "primary" : ""}
                onClick={() => setDays(d as number)}
              >
                {label}
              </button>
            ))}
          </div>
        )}
      </div>
      {usage.unavailable
        ? <Unavailable method="usage.today" what="Usage and cost" />
        : (
          <div class="table-wrap">
            <table id="usage-table">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Model</th>
                  <th class="num">Runs</th>
                  <th class="num">Tokens in</th>
                  <th class="num">Tokens out</th>
                  <th class="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr data-agent={r.agentId}>
                    <td>{r.agentId ?? "—"}</td>
                    <td>{r.model ?? "—"}</td>
                    <td class="num">{r.runs ?? "—"}</td>
                    <td class="num">{fmtInt(r.inputTokens)}</td>
                    <td class="num">{fmtInt(r.outputTokens)}</td>
                    <td class="num">{fmtUsd(r.costUsd)}</td>
                  </tr>
                ))}
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={6} class="muted">No usage in this period.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      {shards.length > 0 && (
        <>
          <h2>Shards</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Shard</th>
                  <th>State</th>
                  <th class="num">Active</th>
                  <th class="num">Queued</th>
                  <th class="num">Restarts</th>
                </tr>
              </thead>
              <tbody>
                {shards.map((x) => (
                  <tr>
                    <td>{x.shard}</td>
                    <td data-state={shardState(x)}>{shardState(x)}</td>
                    <td class="num">{x.active}</td>
                    <td class="num">{x.queueDepth}</td>
                    <td class="num">{x.restarts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Page>
  );
}

/** `up` while the worker runs; `idle` when it is stopped with nothing to do; `down` when work waits on it. */
export function shardState(x: { alive: boolean; active: number; queueDepth: number }): string {
  if (x.alive) return "up";
  return x.active === 0 && x.queueDepth === 0 ? "idle" : "down";
}
