/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Runs — follow one message: every milestone of a runId from ingress to egress. */
import { useEffect, useState } from "preact/hooks";
import { fmtDuration, fmtTime, preview } from "../lib/format.ts";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

export interface Milestone {
  ts: number;
  kind: string;
  data?: Record<string, unknown>;
}

const TITLES: Record<string, string> = {
  ingress: "Ingress",
  routed: "Routed",
  queued: "Queued",
  "run.start": "Run start",
  "model.attempt": "Model attempt",
  "tool.call": "Tool call",
  approval: "Approval",
  "run.end": "Run end",
  egress: "Egress",
};

/** The most telling fields of a milestone, in reading order. */
const KEY_FIELDS: Record<string, string[]> = {
  ingress: ["channel", "accountId", "sender", "peer", "text"],
  routed: ["agentId", "sessionKey", "binding"],
  queued: ["waitMs", "lane", "shard", "queueMode", "position"],
  "run.start": ["agentId", "sessionKey", "model"],
  "model.attempt": ["provider", "model", "ok", "inputTokens", "outputTokens", "ms", "errorKind", "reason"],
  "tool.call": ["name", "outcome", "ms", "approval", "args"],
  approval: ["decision", "tool", "command", "resolvedBy", "waitMs"],
  "run.end": ["status", "steps", "attempts", "inputTokens", "outputTokens", "costUsd", "error"],
  egress: ["channel", "chunks", "state", "deliveryState", "messageIds"],
};

function milestonesOf(data: unknown): Milestone[] {
  if (Array.isArray(data)) return data as Milestone[];
  const o = (data ?? {}) as Record<string, unknown>;
  for (const k of ["milestones", "timeline", "events"]) if (Array.isArray(o[k])) return o[k] as Milestone[];
  return [];
}

function fieldText(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.name === "string" && typeof o.id === "string") return `${o.name} (${o.id})`;
    return preview(v, 200).replace(/\s+/g, " ");
  }
  return String(v);
}

export function Runs({ client, nav, query }: PageProps) {
  const runId = query.get("run") ?? "";
  const [input, setInput] = useState(runId);
  useEffect(() => setInput(runId), [runId]);
  const timeline = useRequest<unknown>(client, runId ? "runs.timeline" : undefined, { runId }, runId);
  useEffect(() => {
    if (runId) void client.subscribe({ runIds: [runId] });
  }, [runId]);
  const refresh = (p: unknown) => {
    if ((p as { runId?: string })?.runId === runId) timeline.reload();
  };
  useEvent(client, "chat", refresh, [runId]);
  useEvent(client, "agent", (p) => {
    const ev = p as { runId?: string; stream?: string; data?: { phase?: string } };
    if (ev.stream !== "assistant") refresh(p);
  }, [runId]);

  const items = milestonesOf(timeline.data).slice().sort((a, b) => a.ts - b.ts);
  const t0 = items[0]?.ts ?? 0;
  const available = client.has("runs.timeline");
  return (
    <Page title="Runs — follow one message">
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
          placeholder="Paste a runId (run_…)"
          value={input}
          spellcheck={false}
          onInput={(e) => setInput((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary">Open</button>
      </form>
      {!available && <Unavailable method="runs.timeline" what="The run timeline" />}
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
              const d = m.data ?? {};
              const keys = KEY_FIELDS[m.kind] ?? Object.keys(d).slice(0, 6);
              const shown = keys.filter((k) => d[k] !== undefined);
              const failed = d.ok === false || d.status === "error" || d.isError === true;
              return (
                <li class={`milestone ${failed ? "failed" : ""}`} data-kind={m.kind}>
                  <div class="ms-head">
                    <span class="ms-kind">{TITLES[m.kind] ?? m.kind}</span>
                    <span class="muted">{fmtTime(m.ts)} · +{fmtDuration(m.ts - t0)}</span>
                  </div>
                  {shown.length > 0 && (
                    <dl class="kv">
                      {shown.map((k) => (
                        <>
                          <dt>{k}</dt>
                          <dd>{fieldText(d[k])}</dd>
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
        </>
      )}
    </Page>
  );
}
