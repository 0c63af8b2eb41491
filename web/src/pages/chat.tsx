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
import { fmtDuration, preview } from "../lib/format.ts";
import { Badge, ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";

const COMMANDS = [
  ["/new", "start a new session"],
  ["/reset", "reset this session"],
  ["/status", "session status"],
  ["/model", "show or set the model"],
  ["/stop", "stop the current run"],
  ["/compact", "summarise older history"],
  ["/help", "list commands"],
] as const;

interface Attachment {
  name: string;
  mimeType: string;
  size: number;
  text?: string;
  dataBase64?: string;
}

const MAX_ATTACHMENT = 5 * 1024 * 1024;

async function readAttachment(file: File): Promise<Attachment> {
  const isText = file.type.startsWith("text/") || /\.(md|txt|json|csv|ts|js|py|log|ya?ml)$/i.test(file.name);
  if (isText && file.size <= 100_000) {
    return { name: file.name, mimeType: file.type || "text/plain", size: file.size, text: await file.text() };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {
    name: file.name,
    mimeType: file.type || "application/octet-stream",
    size: file.size,
    dataBase64: btoa(s),
  };
}

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
  const listRef = useRef<HTMLDivElement>(null);
  const sessions = useRequest<unknown>(client, "sessions.list", { limit: 100 });
  const history = useRequest<unknown>(client, "chat.history", { sessionKey }, sessionKey);
  const canSend = client.has("chat.send");

  useEffect(() => {
    runIds.current = new Set();
    setItems([]);
    void client.subscribe({ sessionKeys: [sessionKey], events: ["chat", "agent"] });
  }, [sessionKey]);

  useEffect(() => {
    if (!history.data) return;
    const h = itemsFromHistory(historyEntries(history.data));
    for (const i of h) if (i.runId) runIds.current.add(i.runId);
    setItems((cur) => mergeHistory(cur, h));
  }, [history.data]);

  useEvent(client, "chat", (p) => {
    const ev = p as ChatEventPayload;
    if (ev.sessionKey !== sessionKey) return;
    runIds.current.add(ev.runId);
    setItems((cur) => applyChatEvent(cur, ev));
    if (ev.state !== "delta") history.reload();
  }, [sessionKey]);
  useEvent(client, "agent", (p) => {
    const ev = p as AgentEventPayload;
    if (!runIds.current.has(ev.runId)) return;
    setItems((cur) => applyAgentEvent(cur, ev));
  }, [sessionKey]);

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

  const send = async () => {
    const body = text.trim();
    if (!body && files.length === 0) return;
    setError(undefined);
    const inline = files.filter((f) => f.text !== undefined)
      .map((f) => `\n\n--- ${f.name} ---\n${f.text}`).join("");
    const binary = files.filter((f) => f.dataBase64 !== undefined)
      .map(({ name, mimeType, dataBase64 }) => ({ name, mimeType, dataBase64 }));
    const local: ChatItem = { key: `local:${Date.now()}`, role: "user", text: body + inline, tools: [] };
    setItems((cur) => [...cur, local]);
    setText("");
    setFiles([]);
    try {
      const r = await client.request<{ runId?: string }>("chat.send", {
        sessionKey,
        agentId,
        text: body + inline,
        ...(binary.length ? { attachments: binary } : {}),
      });
      if (r?.runId) {
        runIds.current.add(r.runId);
        void client.subscribe({ runIds: [r.runId] });
        setItems((cur) => cur.map((i) => (i === local ? { ...i, runId: r.runId } : i)));
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
        {items.map((it) => <Message key={it.key} item={it} nav={nav} />)}
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
                const tooBig = picked.find((f) => f.size > MAX_ATTACHMENT);
                if (tooBig) setError(`${tooBig.name} is larger than 5 MB`);
                const read = await Promise.all(
                  picked.filter((f) => f.size <= MAX_ATTACHMENT).map(readAttachment),
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

function Message({ item, nav }: { item: ChatItem; nav(p: string): void }) {
  return (
    <div class={`msg ${item.role}`} data-run={item.runId ?? ""} data-state={item.state ?? ""}>
      {item.tools.map((t) => (
        <details key={t.id} class={`tool ${t.status}`} data-tool={t.name}>
          <summary>
            <span class="tool-name">{t.name}</span>
            <Badge tone={t.status === "ok" ? "ok" : t.status === "error" ? "err" : "warn"}>{t.status}</Badge>
            {t.ms !== undefined && <span class="muted">{fmtDuration(t.ms)}</span>}
            <code class="args">{preview(t.args, 120).replace(/\s+/g, " ")}</code>
          </summary>
          <pre class="args-full">{preview(t.args, 4000)}</pre>
          {t.output !== undefined && <pre class="output">{preview(t.output, 1200)}</pre>}
        </details>
      ))}
      {(item.text || item.role !== "assistant") && <div class="bubble">{item.text}</div>}
      {item.role === "assistant" && item.state === "streaming" && !item.text && (
        <div class="bubble muted">…</div>
      )}
      {item.error && <div class="error">{item.error}</div>}
      {item.runId && (
        <div class="meta">
          {item.state && item.state !== "final" && (
            <Badge tone={item.state === "streaming" ? "warn" : "err"}>{item.state}</Badge>
          )}
          <RunLink runId={item.runId} nav={nav} label="timeline" />
        </div>
      )}
    </div>
  );
}
