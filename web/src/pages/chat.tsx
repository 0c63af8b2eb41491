/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Chat: pick an agent and session, send, watch the reply stream in, tool calls as cards, stop. */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  activeRun,
  type AgentEventPayload,
  applyAgentEvent,
  applyChatEvent,
  type ChatEventPayload,
  type ChatItem,
  type HistoryEntry,
  itemsFromHistory,
  mergeHistory,
} from "../lib/chat_model.ts";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";
import { Message } from "../ui/message.tsx";

const COMMANDS = [
  ["/new", "start a new session"],
  ["/reset", "reset this session"],
  ["/status", "session status"],
  ["/model", "show or set the model"],
  ["/stop", "stop the current run"],
  ["/compact", "summarise older history"],
  ["/help", "list commands"],
] as const;

/** A text file attached to the next message; its content is sent inline with the text. */
interface Attachment {
  name: string;
  size: number;
  text: string;
}

/** chat.send takes text only, so attachments are text files up to this size, inlined. */
const MAX_ATTACHMENT = 100_000;

const isTextFile = (file: File) =>
  file.type.startsWith("text/") || file.type === "application/json" ||
  /\.(md|txt|json|csv|ts|tsx|js|py|log|ya?ml|toml|sh|html|css|xml)$/i.test(file.name);

function historyEntries(data: unknown): HistoryEntry[] {
  const o = (data ?? {}) as Record<string, unknown>;
  if (Array.isArray(o.entries)) return o.entries as HistoryEntry[];
  if (Array.isArray(o.messages)) {
    return (o.messages as { role: string; content: unknown; runId?: string }[]).map((m, i) => ({
      seq: i + 1,
      kind: m.role === "user" ? "user" : m.role === "assistant" ? "assistant" : "notice",
      runId: m.runId,
      content: { text: typeof m.content === "string" ? m.content : JSON.stringify(m.content) },
    }));
  }
  return [];
}

export function Chat({ client, nav, query }: PageProps) {
  const snapshot = client.hello?.snapshot ?? {};
  const agents = (Array.isArray(snapshot.agents) ? snapshot.agents : ["main"]) as string[];
  const [agentId, setAgentId] = useState(String(snapshot.defaultAgentId ?? agents[0] ?? "main"));
  const [sessionKey, setSessionKey] = useState(query.get("session") ?? `agent:${agentId}:main`);
  const [items, setItems] = useState<ChatItem[]>([]);
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Attachment[]>([]);
  const [error, setError] = useState<string>();
  const runIds = useRef(new Set<string>());
  /** Agent events of runs not known yet (they can beat chat.send's answer), replayed once known. */
  const early = useRef(new Map<string, AgentEventPayload[]>());
  const listRef = useRef<HTMLDivElement>(null);
  const sessions = useRequest<unknown>(client, "sessions.list", { limit: 100 });
  const history = useRequest<unknown>(client, "chat.history", { sessionKey }, sessionKey);
  const approvals = useRequest<{ approvals?: { id: string; runId?: string }[] }>(client, "approvals.list");
  const canSend = client.has("chat.send");

  useEffect(() => {
    runIds.current = new Set();
    early.current = new Map();
    setItems([]);
    void client.subscribe({
      sessionKeys: [sessionKey],
      events: ["chat", "agent", "approval.requested", "approval.resolved"],
    });
  }, [sessionKey]);

  /** Marks a run as this session's and applies what arrived before it was known. */
  const know = (runId: string) => {
    if (runIds.current.has(runId)) return;
    runIds.current.add(runId);
    const buffered = early.current.get(runId);
    early.current.delete(runId);
    if (buffered) setItems((cur) => buffered.reduce(applyAgentEvent, cur));
  };

  useEffect(() => {
    if (!history.data) return;
    const h = itemsFromHistory(historyEntries(history.data));
    for (const i of h) if (i.runId) know(i.runId);
    setItems((cur) => mergeHistory(cur, h));
  }, [history.data]);

  useEvent(client, "chat", (p) => {
    const ev = p as ChatEventPayload;
    if (ev.sessionKey !== sessionKey) return;
    know(ev.runId);
    setItems((cur) => applyChatEvent(cur, ev));
    if (ev.state !== "delta") history.reload();
  }, [sessionKey]);
  useEvent(client, "agent", (p) => {
    const ev = p as AgentEventPayload;
    if (!runIds.current.has(ev.runId)) {
      const list = early.current.get(ev.runId) ?? [];
      if (list.length < 500) list.push(ev);
      early.current.set(ev.runId, list);
      if (early.current.size > 50) early.current.delete(early.current.keys().next().value!);
      return;
    }
    setItems((cur) => applyAgentEvent(cur, ev));
  }, [sessionKey]);
  useEvent(client, "approval.requested", () => approvals.reload());
  useEvent(client, "approval.resolved", () => approvals.reload());

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [items]);

  const sessionOptions = useMemo(() => {
    const d = sessions.data as Record<string, unknown> | unknown[] | undefined;
    const list = (Array.isArray(d) ? d : (d?.sessions as unknown[]) ?? []) as {
      sessionKey?: string;
      key?: string;
    }[];
    const keys = list.map((s) => s.sessionKey ?? s.key).filter((k): k is string => !!k);
    const main = `agent:${agentId}:main`;
    return [...new Set([main, sessionKey, ...keys])];
  }, [sessions.data, agentId, sessionKey]);

  const running = activeRun(items);
  const waiting = new Map<string, string>();
  for (const a of approvals.data?.approvals ?? []) if (a.runId) waiting.set(a.runId, a.id);

  const send = async () => {
    const body = text.trim();
    if (!body && files.length === 0) return;
    setError(undefined);
    const inline = files.map((f) => `\n\n--- ${f.name} ---\n${f.text}`).join("");
    const local: ChatItem = { key: `local:${Date.now()}`, role: "user", text: body + inline, tools: [] };
    setItems((cur) => [...cur, local]);
    setText("");
    setFiles([]);
    try {
      const r = await client.request<{ runId?: string }>("chat.send", {
        sessionKey,
        agentId,
        text: (body + inline).trim(),
      });
      if (r?.runId) {
        void client.subscribe({ runIds: [r.runId] });
        setItems((cur) => cur.map((i) => (i === local ? { ...i, runId: r.runId } : i)));
        know(r.runId);
      }
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const stop = () => {
    client.request("chat.abort", { sessionKey, ...(running ? { runId: running } : {}) })
      .catch((err) => setError(err.message));
  };

  const suggestions = text.startsWith("/") && !text.includes(" ")
    ? COMMANDS.filter(([c]) => c.startsWith(text.toLowerCase()))
    : [];

  return (
    <Page
      title="Chat"
      actions={
        <div class="pickers">
          <label>
            Agent{" "}
            <select
              id="agent-picker"
              value={agentId}
              onChange={(e) => {
                const a = (e.target as HTMLSelectElement).value;
                setAgentId(a);
                setSessionKey(`agent:${a}:main`);
              }}
            >
              {agents.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </label>
          <label>
            Session{" "}
            <select
              id="session-picker"
              value={sessionKey}
              onChange={(e) => setSessionKey((e.target as HTMLSelectElement).value)}
            >
              {sessionOptions.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </label>
        </div>
      }
    >
      {!canSend && <Unavailable method="chat.send" what="Chat" />}
      {history.unavailable && <Unavailable method="chat.history" what="Chat history" />}
      <ErrorLine error={history.error} code={history.errorCode} />
      <div class="chat-log" ref={listRef} aria-live="polite">
        {items.length === 0 && <p class="muted">No messages in this session yet.</p>}
        {items.map((it) => (
          <Message
            key={it.key}
            item={it}
            nav={nav}
            waitingApproval={it.role === "assistant" && it.state === "streaming" && it.runId
              ? waiting.get(it.runId)
              : undefined}
          />
        ))}
      </div>
      <ErrorLine error={error} />
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        {suggestions.length > 0 && (
          <ul class="suggest" role="listbox">
            {suggestions.map(([c, d]) => (
              <li>
                <button type="button" class="ghost" onClick={() => setText(c + " ")}>
                  <code>{c}</code> <span class="muted">{d}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {files.length > 0 && (
          <div class="files">
            {files.map((f) => (
              <span class="chip">
                {f.name} ({Math.ceil(f.size / 1024)} KB)
                <button
                  type="button"
                  class="ghost"
                  aria-label={`Remove ${f.name}`}
                  onClick={() => setFiles(files.filter((x) => x !== f))}
                >
                  ×
                </button>
              </span>
            ))}
          </div>
        )}
        <div class="composer-row">
          <label class="attach" title="Attach files">
            +
            <input
              type="file"
              multiple
              onChange={async (e) => {
                const input = e.target as HTMLInputElement;
                const picked = [...(input.files ?? [])];
                const refused = picked.filter((f) => !isTextFile(f) || f.size > MAX_ATTACHMENT);
                setError(
                  refused.length
                    ? `Not attached: ${
                      refused.map((f) => f.name).join(", ")
                    } (only text files up to 100 KB; their content is sent with the message)`
                    : undefined,
                );
                const ok = picked.filter((f) => !refused.includes(f));
                const read = await Promise.all(
                  ok.map(async (f) => ({ name: f.name, size: f.size, text: await f.text() })),
                );
                setFiles((cur) => [...cur, ...read]);
                input.value = "";
              }}
            />
          </label>
          <textarea
            id="chat-input"
            rows={2}
            placeholder="Message, or /command"
            value={text}
            disabled={!canSend}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
          />
          {running
            ? <button type="button" class="danger" id="stop" onClick={stop}>Stop</button>
            : <button type="submit" class="primary" id="send" disabled={!canSend}>Send</button>}
        </div>
      </form>
    </Page>
  );
}
