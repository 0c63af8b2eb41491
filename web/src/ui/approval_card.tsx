/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * A pending exec approval with Allow once / Allow always / Deny, shown on the Approvals page and inside
 * the chat run that waits for it. Only an admin connection may decide (the gateway refuses the others
 * with FORBIDDEN); for them the buttons are not offered.
 */
import { useState } from "preact/hooks";
import { commandLine, fmtTime } from "../lib/format.ts";
import type { UiClient } from "../lib/gateway_client.ts";
import { RunLink } from "./common.tsx";

/** An exec approval as `approvals.list` / `approvals.history` send it. */
export interface Approval {
  id: string;
  tool: string;
  argv: string[];
  cwd: string;
  sessionKey?: string;
  runId?: string;
  /** Who caused the run (`owner`, `user:telegram:5`, …), when the gateway records it. */
  principal?: string | { kind: string; id?: string };
  status: string;
  createdAt: number;
  expiresAt: number;
  resolvedAt?: number;
  resolvedBy?: string;
  /** History only: allow-once, allow-always, deny, timeout or aborted. */
  decision?: string;
}

export type Decision = "allow-once" | "allow-always" | "deny";

/** True when this connection may resolve approvals (an admin credential). */
export const isAdmin = (client: UiClient) => client.hello?.auth?.scopes?.includes("admin") ?? false;

/** `owner`, `user:telegram:5` for a principal in either shape. */
export function principalText(p: Approval["principal"]): string | undefined {
  if (!p) return undefined;
  return typeof p === "string" ? p : p.id ? `${p.kind}:${p.id}` : p.kind;
}

export function ApprovalCard(
  props: {
    client: UiClient;
    approval: Approval;
    nav(path: string): void;
    compact?: boolean;
    onDone?(): void;
  },
) {
  const { client, approval: a, nav } = props;
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string>();
  const admin = isAdmin(client);
  const resolve = async (decision: Decision) => {
    setErr(undefined);
    setBusy(true);
    try {
      await client.request("approval.resolve", { id: a.id, decision });
      props.onDone?.();
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const principal = principalText(a.principal);
  return (
    <div
      class={`card approval${props.compact ? " inline" : ""}`}
      data-approval={a.id}
      role="group"
      aria-label="Approval"
    >
      <div class="row">
        <strong>{props.compact ? "Waiting for approval: " : ""}{a.tool}</strong>
        <span class="muted">asked {fmtTime(a.createdAt)} · expires {fmtTime(a.expiresAt)}</span>
      </div>
      <pre class="command">{commandLine(a.argv)}</pre>
      <dl class="kv">
        <dt>cwd</dt>
        <dd>
          <code>{a.cwd}</code>
        </dd>
        {principal && (
          <>
            <dt>principal</dt>
            <dd class="principal">{principal}</dd>
          </>
        )}
        {a.sessionKey && !props.compact && (
          <>
            <dt>session</dt>
            <dd>{a.sessionKey}</dd>
          </>
        )}
        {a.runId && !props.compact && (
          <>
            <dt>run</dt>
            <dd>
              <RunLink runId={a.runId} nav={nav} />
            </dd>
          </>
        )}
      </dl>
      {admin
        ? (
          <div class="buttons">
            <button type="button" class="primary" disabled={busy} onClick={() => resolve("allow-once")}>
              Allow once
            </button>
            <button type="button" disabled={busy} onClick={() => resolve("allow-always")}>
              Allow always
            </button>
            <button type="button" class="danger" disabled={busy} onClick={() => resolve("deny")}>Deny</button>
          </div>
        )
        : <p class="muted not-admin">Only an admin (owner) connection can decide this approval.</p>}
      {err && <div class="error" role="alert">{err}</div>}
    </div>
  );
}
