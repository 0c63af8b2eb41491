/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Sessions: list (channel, last activity, model, tokens, cost); a transcript; reset, compact, delete. */
import { useState } from "preact/hooks";
import { type HistoryEntry, itemsFromHistory } from "../lib/chat_model.ts";
import { fmtInt, fmtTime, fmtUsd } from "../lib/format.ts";
import { ErrorLine, Link, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";
import { Message } from "../ui/message.tsx";
import { ArchivedTranscript, EarlierTranscripts } from "./session_archive.tsx";

interface SessionRow {
  sessionKey: string;
  agentId?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  lastChannel?: { channel?: string; accountId?: string } | string;
  updatedAt?: number;
}

function rowsOf(d: unknown): SessionRow[] {
  if (Array.isArray(d)) return d;
  const o = (d ?? {}) as Record<string, unknown>;
  return (Array.isArray(o.sessions) ? o.sessions : []) as SessionRow[];
}

const channelOf = (s: SessionRow) =>
  typeof s.lastChannel === "string" ? s.lastChannel : s.lastChannel?.channel ?? "—";

export function Sessions(props: PageProps) {
  const key = props.query.get("session");
  const earlier = props.query.get("transcript");
  if (key && earlier) return <ArchivedTranscript {...props} sessionKey={key} sessionId={earlier} />;
  return key ? <Transcript {...props} sessionKey={key} /> : <SessionList {...props} />;
}

function SessionList({ client, nav }: PageProps) {
  const list = useRequest<unknown>(client, "sessions.list", { limit: 200 });
  if (list.unavailable) {
    return (
      <Page title="Sessions">
        <Unavailable method="sessions.list" what="The session list" />
      </Page>
    );
  }
  const rows = rowsOf(list.data);
  return (
    <Page title="Sessions" actions={<button type="button" onClick={list.reload}>Refresh</button>}>
      <ErrorLine error={list.error} code={list.errorCode} />
      <div class="table-wrap">
        <table id="sessions-table">
          <thead>
            <tr>
              <th>Session</th>
              <th>Channel</th>
              <th>Last activity</th>
              <th>Model</th>
              <th class="num">Tokens</th>
              <th class="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr>
                <td>
                  <Link href={`/sessions?session=${encodeURIComponent(s.sessionKey)}`} nav={nav}>
                    {s.sessionKey}
                  </Link>
                </td>
                <td>{channelOf(s)}</td>
                <td>{fmtTime(s.updatedAt)}</td>
                <td>{s.model ?? "default"}</td>
                <td class="num">{fmtInt((s.inputTokens ?? 0) + (s.outputTokens ?? 0))}</td>
                <td class="num">{fmtUsd(s.costUsd)}</td>
              </tr>
            ))}
            {rows.length === 0 && !list.loading && (
              <tr>
                <td colSpan={6} class="muted">No sessions yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function Transcript({ client, nav, sessionKey }: PageProps & { sessionKey: string }) {
  const history = useRequest<{ entries?: HistoryEntry[]; session?: SessionRow | null }>(
    client,
    "chat.history",
    { sessionKey },
    sessionKey,
  );
  const [msg, setMsg] = useState<string>();
  /** Counts actions, so the earlier transcripts are read again after a reset. */
  const [acted, setActed] = useState(0);
  const [err, setErr] = useState<string>();
  const act = async (label: string, method: string, params: unknown, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    setErr(undefined);
    try {
      await client.request(method, params);
      setMsg(`${label}: done`);
      setActed((n) => n + 1);
      if (method === "sessions.delete") nav("/sessions");
      else history.reload();
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  const has = (m: string) => client.has(m);
  const compact = has("sessions.compact")
    ? () => act("Compact", "sessions.compact", { sessionKey })
    : has("chat.send")
    ? () => act("Compact", "chat.send", { sessionKey, text: "/compact" })
    : undefined;
  const entries = history.data?.entries ?? [];
  const items = itemsFromHistory(entries);
  return (
    <Page
      title="Session"
      actions={
        <>
          <Link href={`/chat?session=${encodeURIComponent(sessionKey)}`} nav={nav} class="button">
            Open in chat
          </Link>
          <button
            type="button"
            disabled={!has("sessions.reset")}
            title={has("sessions.reset") ? "" : "not available on this gateway"}
            onClick={() =>
              act("Reset", "sessions.reset", { sessionKey }, "Start a new transcript for this session?")}
          >
            Reset
          </button>
          <button
            type="button"
            disabled={!compact}
            title={compact ? "" : "not available on this gateway"}
            onClick={compact}
          >
            Compact
          </button>
          <button
            type="button"
            class="danger"
            disabled={!has("sessions.delete")}
            title={has("sessions.delete") ? "" : "not available on this gateway"}
            onClick={() =>
              act("Delete", "sessions.delete", { sessionKey }, "Delete this session and its transcript?")}
          >
            Delete
          </button>
        </>
      }
    >
      <p>
        <code id="session-key">{sessionKey}</code>
      </p>
      {history.data?.session && (
        <dl class="kv session-info">
          <dt>agent</dt>
          <dd>{history.data.session.agentId ?? "—"}</dd>
          <dt>channel</dt>
          <dd>{channelOf(history.data.session)}</dd>
          <dt>model</dt>
          <dd>{history.data.session.model ?? "default"}</dd>
          <dt>tokens</dt>
          <dd>
            {fmtInt(history.data.session.inputTokens)} in · {fmtInt(history.data.session.outputTokens)} out
          </dd>
          <dt>cost</dt>
          <dd>{fmtUsd(history.data.session.costUsd)}</dd>
          <dt>last activity</dt>
          <dd>{fmtTime(history.data.session.updatedAt)}</dd>
        </dl>
      )}
      {msg && <div class="notice" role="status">{msg}</div>}
      <ErrorLine error={err} />
      {history.unavailable ? <Unavailable method="chat.history" what="The transcript" /> : (
        <>
          <ErrorLine error={history.error} code={history.errorCode} />
          <div class="chat-log transcript-log" id="transcript">
            {items.map((it) => <Message key={it.key} item={it} nav={nav} />)}
            {items.length === 0 && !history.loading && <p class="muted">Empty transcript.</p>}
          </div>
        </>
      )}
      <EarlierTranscripts key={acted} client={client} nav={nav} sessionKey={sessionKey} />
    </Page>
  );
}
