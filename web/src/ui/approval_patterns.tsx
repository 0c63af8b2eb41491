/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Exec approval patterns on the Tools page: those of the config (read-only), those added here and the
 * allow-always entries; adding and removing is admin only (the gateway refuses it below `admin`).
 */
import { useState } from "preact/hooks";
import { fmtTime } from "../lib/format.ts";
import type { UiClient } from "../lib/gateway_client.ts";
import { isAdmin } from "./approval_card.tsx";
import { Badge, ErrorLine, Unavailable } from "./common.tsx";
import { useRequest } from "./hooks.ts";

interface Entry {
  createdBy?: string;
  createdAt: number;
}

interface PatternsView {
  ask: string;
  allowPrograms: string[];
  config: string[];
  patterns: (Entry & { pattern: string })[];
  allowAlways: (Entry & { argv: string[] })[];
}

export function ApprovalPatterns(props: { client: UiClient }) {
  const { client } = props;
  const list = useRequest<PatternsView>(client, "approvals.patterns");
  const [pattern, setPattern] = useState("");
  const [err, setErr] = useState<string>();
  const admin = isAdmin(client);
  if (list.unavailable) return <Unavailable method="approvals.patterns" what="Approval patterns" />;
  const act = async (method: string, params: unknown, after?: () => void) => {
    setErr(undefined);
    try {
      await client.request(method, params);
      after?.();
    } catch (e) {
      setErr((e as Error).message);
    }
    list.reload();
  };
  const v = list.data;
  const rows = [
    ...(v?.config ?? []).map((p) => ({ key: `c:${p}`, text: p, source: "config", remove: undefined })),
    ...(v?.patterns ?? []).map((p) => ({
      key: `p:${p.pattern}`,
      text: p.pattern,
      source: `added ${fmtTime(p.createdAt)}`,
      remove: { pattern: p.pattern },
    })),
    ...(v?.allowAlways ?? []).map((a) => ({
      key: `a:${a.argv.join("\u0000")}`,
      text: a.argv.join(" "),
      source: `allow always ${fmtTime(a.createdAt)}`,
      remove: { argv: a.argv },
    })),
  ];
  return (
    <section aria-labelledby="patterns-title">
      <h2 id="patterns-title">Exec approval patterns</h2>
      <p class="muted small">
        Ask mode{" "}
        <code>{v?.ask ?? "…"}</code>. A call matching a pattern runs without asking (never with the network).
        {" "}
        <code>*</code> and a trailing <code>**</code> match operands, never options. Programs that never ask:
        {" "}
        {v?.allowPrograms.length ? v.allowPrograms.map((p) => <code key={p}>{p}</code>) : "none"}.
      </p>
      <ErrorLine error={list.error ?? err} code={list.errorCode} />
      {admin && (
        <form
          class="inline-form"
          id="pattern-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (pattern.trim()) void act("approvals.patterns.add", { pattern }, () => setPattern(""));
          }}
        >
          <label for="pattern-input">New pattern</label>
          <input
            id="pattern-input"
            type="text"
            placeholder="git log --oneline *"
            value={pattern}
            onInput={(e) => setPattern((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="primary" id="pattern-add" disabled={!pattern.trim()}>
            Add pattern
          </button>
        </form>
      )}
      <div class="table-wrap">
        <table id="patterns-table">
          <thead>
            <tr>
              <th>Pattern</th>
              <th>Source</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-pattern={r.text}>
                <td>
                  <code>{r.text}</code>
                </td>
                <td class="small">{r.source === "config" ? <Badge>config</Badge> : r.source}</td>
                <td>
                  {admin && r.remove && (
                    <button
                      type="button"
                      class="danger remove"
                      aria-label={`Remove ${r.text}`}
                      onClick={() => act("approvals.patterns.remove", r.remove)}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {rows.length === 0 && !list.loading && (
              <tr>
                <td colSpan={3} class="muted">No patterns: every exec call outside allowPrograms asks.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
