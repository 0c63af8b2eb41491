/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * A pending exec approval — the real program and argv, cwd, whether it runs confined and with network,
 * its stdin, env names and the files the agent changed that it reads — with Allow once / Allow always
 * (not for stdin or network calls) / Deny, shown on the Approvals page and inside
 * the chat run that waits for it. Only an admin connection may decide (the gateway refuses the others
 * with FORBIDDEN); for them the buttons are not offered.
 */
import { useState } from "preact/hooks";
import { commandLine, fmtTime } from "../lib/format.ts";
import type { UiClient } from "../lib/gateway_client.ts";
import { Badge, RunLink } from "./common.tsx";

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
  /** The rest of what the approval binds (older records have none). */
  binding?: {
    stdin?: { sha256: string; bytes: number; preview: string };
    envNames?: string[];
    network?: boolean;
    confined?: boolean;
    requested?: string[];
    changedByAgent?: string[];
  };
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
  const b = a.binding;
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
      {b && (
        <p class="binding">
          {b.confined
            ? <Badge tone="ok">confined</Badge>
            : <Badge tone="err">UNCONFINED: full access of the gateway user</Badge>}{" "}
          <Badge tone={b.network ? "err" : "ok"}>network: {b.network ? "yes" : "no"}</Badge>
        </p>
      )}
      <dl class="kv">
        {b?.requested && b.requested[0] !== a.argv[0] && (
          <>
            <dt>asked as</dt>
            <dd>
              <code>{b.requested[0]}</code>
            </dd>
          </>
        )}
        <dt>cwd</dt>
        <dd>
          <code>{a.cwd}</code>
        </dd>
        {b?.stdin && (
          <>
            <dt>stdin</dt>
            <dd>
              {b.stdin.bytes} bytes, sha256 <code>{b.stdin.sha256.slice(0, 16)}…</code>
              <pre class="stdin">{b.stdin.preview}</pre>
            </dd>
          </>
        )}
        {b?.envNames?.length
          ? (
            <>
              <dt>env</dt>
              <dd>{b.envNames.join(", ")}</dd>
            </>
          )
          : null}
        {b?.changedByAgent?.map((f) => (
          <>
            <dt>reads</dt>
            <dd class="changed-by-agent">
              <code>{f}</code> — <strong>changed by the agent</strong> in this session
            </dd>
          </>
        ))}
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
            {!b?.stdin && !b?.network && (
              <button
                type="button"
                disabled={busy}
                onClick={() => resolve("allow-always")}
              >
                Allow always
              </button>
            )}
            <button type="button" class="danger" disabled={busy} onClick={() => resolve("deny")}>Deny</button>
          </div>
        )
        : <p class="muted not-admin">Only an admin (owner) connection can decide this approval.</p>}
      {err && <div class="error" role="alert">{err}</div>}
    </div>
  );
}
