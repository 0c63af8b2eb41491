/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Runs — follow one message: every milestone of a runId from ingress to egress. */
import { useEffect, useRef, useState } from "preact/hooks";
import { commandLine, fmtDuration, fmtTime, preview } from "../lib/format.ts";
import { buildTimeline, type TimelineResponse } from "../lib/timeline.ts";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useEvents, useRequest } from "../ui/hooks.ts";
import { RunList } from "./run_list.tsx";

const TITLES: Record<string, string> = {
  ingress: "Ingress",
  routed: "Routed",
  queued: "Queued",
  "lane.start": "Lane start",
  "run.start": "Run start",
  "model.attempt": "Model attempt",
  "tool.call": "Tool call",
  approval: "Approval",
  "run.end": "Run end",
  egress: "Egress",
  "lane.end": "Lane end",
};

/** The most telling fields of a milestone, in reading order. */
const KEY_FIELDS: Record<string, string[]> = {
  ingress: ["channel", "accountId", "sender", "principal", "peer", "messageId", "chars", "media"],
  routed: ["agentId", "sessionKey", "matchedBy"],
  queued: ["waitMs", "lane", "shard", "messages"],
  "lane.start": ["lane", "shard", "attempt"],
  "run.start": ["agentId", "model", "channel", "principal"],
  "model.attempt": [
    "provider",
    "model",
    "ok",
    "step",
    "inputTokens",
    "outputTokens",
    "ms",
    "failoverReason",
  ],
  "tool.call": ["tool", "outcome", "ms", "approval"],
  approval: ["decision", "tool", "argv", "cwd", "by"],
  "run.end": ["status", "steps", "attempts", "inputTokens", "outputTokens", "costUsd", "ms", "error"],
  egress: ["channel", "chunks", "chunk", "state", "chars", "attempt", "error"],
  "lane.end": ["status", "durationMs", "shard"],
};

/** Events of a run that mean its timeline may have grown. */
const RUN_EVENTS = [
  "agent",
  "chat",
  "queued",
  "run.start",
  "run.end",
  "egress",
  "outbox.dead",
  "approval.requested",
];

const DURATIONS = new Set(["ms", "waitMs", "durationMs"]);

function fieldText(k: string, v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (DURATIONS.has(k) && typeof v === "number") return fmtDuration(v);
  if (k === "argv" && Array.isArray(v)) return commandLine(v as string[]);
  if (k === "costUsd" && typeof v === "number") return `$${v.toFixed(4)}`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.id === "string" && (o.name || o.username)) return `${o.name ?? o.username} (${o.id})`;
    if (typeof o.kind === "string" && typeof o.id === "string") return `${o.kind} ${o.id}`;
    return preview(v, 200).replace(/\s+/g, " ");
  }
  return String(v);
}

export function Runs({ client, nav, query }: PageProps) {
  const runId = query.get("run") ?? "";
  const [input, setInput] = useState(runId);
  useEffect(() => setInput(runId), [runId]);
  const timeline = useRequest<TimelineResponse>(
    client,
    runId ? "runs.timeline" : undefined,
    { runId },
    runId,
  );
  useEffect(() => {
    if (runId) void client.subscribe({ runIds: [runId] });
  }, [runId]);
  // Milestones land as the run goes: re-read (at most every 250 ms) on any event of this run.
  const pendingReload = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(pendingReload.current), []);
  const refresh = (p: unknown) => {
    if ((p as { runId?: string })?.runId !== runId || pendingReload.current) return;
    pendingReload.current = setTimeout(() => {
      pendingReload.current = undefined;
      timeline.reload();
    }, 250);
  };
  useEvents(client, RUN_EVENTS, (p, event) => {
    if (event !== "agent" || (p as { stream?: string }).stream !== "assistant") refresh(p);
  }, [runId]);

  const items = buildTimeline(timeline.data);
  const t0 = items[0]?.ts ?? 0;
  const available = client.has("runs.timeline");
  const audit = (timeline.data?.audit ?? []).filter((a) => a.kind !== "approval");
  return (
    <Page title="Runs">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const id = input.trim();
          if (id) nav(`/runs?run=${encodeURIComponent(id)}`);
        }}
      >
        <input
          id="run-input"
          aria-label="Run id"
          placeholder="Paste a runId (run_…)"
          value={input}
          spellcheck={false}
          onInput={(e) => setInput((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary">Open</button>
      </form>
      {!available && <Unavailable method="runs.timeline" what="The run timeline" />}
      {!runId && <RunList client={client} nav={nav} />}
      {runId && available && (
        <>
          <p class="muted">
            Run <code id="run-id">{runId}</code>
            {items.length > 1 && ` — ${fmtDuration(items.at(-1)!.ts - t0)} end to end`}
          </p>
          <ErrorLine error={timeline.error} code={timeline.errorCode} />
          {!timeline.loading && !timeline.error && items.length === 0 && (
            <p class="muted">No milestones recorded for this run.</p>
          )}
          <ol class="timeline" id="timeline">
            {items.map((m) => {
              const d = m.data;
              const keys = KEY_FIELDS[m.kind] ?? Object.keys(d).slice(0, 6);
              const shown = keys.filter((k) => d[k] !== undefined);
              const failed = d.ok === false || d.status === "error" || d.isError === true ||
                d.outcome === "error" || d.decision === "deny" || d.state === "dead";
              return (
                <li class={`milestone ${failed ? "failed" : ""}`} data-kind={m.kind} key={m.key}>
                  <div class="ms-head">
                    <span class="ms-kind">{TITLES[m.kind] ?? m.kind}</span>
                    <span class="muted">{fmtTime(m.ts)} · +{fmtDuration(m.ts - t0)}</span>
                  </div>
                  {shown.length > 0 && (
                    <dl class="kv">
                      {shown.map((k) => (
                        <>
                          <dt>{k}</dt>
                          <dd data-field={k}>{fieldText(k, d[k])}</dd>
                        </>
                      ))}
                    </dl>
                  )}
                  <details>
                    <summary class="muted small">all fields</summary>
                    <pre>{preview(d, 6000)}</pre>
                  </details>
                </li>
              );
            })}
          </ol>
          {audit.length > 0 && (
            <>
              <h2>Audit</h2>
              <div class="table-wrap">
                <table id="run-audit">
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>Kind</th>
                      <th>Outcome</th>
                      <th>Actor</th>
                      <th>Principal</th>
                    </tr>
                  </thead>
                  <tbody>
                    {audit.map((a) => (
                      <tr>
                        <td>{fmtTime(a.ts)}</td>
                        <td>{a.kind}</td>
                        <td>{a.outcome}</td>
                        <td>{a.actor ?? "—"}</td>
                        <td data-field="principal">{a.principal ?? "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </Page>
  );
}
