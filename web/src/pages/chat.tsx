/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Chat: the agent and session are in the URL (`/chat?agent=…&session=…`) and kept across pages and
 * reloads; the reply streams in as Markdown with tool steps in order; an approval the run waits for is
 * decided in place; messages wait as "pending" while offline and can be retried when refused.
 */
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
  unfinishedRun,
  withNotes,
} from "../lib/chat_model.ts";
import { loadNotes, saveNote } from "../lib/chat_notes.ts";
import { type Approval, ApprovalCard } from "../ui/approval_card.tsx";
import { ErrorLine, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { Composer } from "../ui/composer.tsx";
import { useEvent, useRequest } from "../ui/hooks.ts";
import { Message } from "../ui/message.tsx";

/** Where the chat last was (this tab), so the Chat tab returns to it. */
export const CHAT_PLACE = "talon.chat";

function historyEntries(data: unknown): HistoryEntry[] {
  const o = (data ?? {}) as Record<string, unknown>;
  if (Array.isArray(o.entries)) return o.entries as HistoryEntry[];
  return [];
}

/** The agent a session key names (`agent:<id>:…`). */
export const agentOfKey = (key: string) => /^agent:([^:]+):/.exec(key)?.[1];

const randomId = () =>
  [...crypto.getRandomValues(new Uint8Array(5))].map((b) => b.toString(16).padStart(2, "0")).join("");

export function Chat({ client, nav, query }: PageProps) {
  const snapshot = client.hello?.snapshot ?? {};
  const agents = (Array.isArray(snapshot.agents) ? snapshot.agents : ["main"]) as string[];
  const saved = new URLSearchParams(sessionStorage.getItem(CHAT_PLACE) ?? "");
  const initialSession = query.get("session") ?? saved.get("session") ?? undefined;
  const initialAgent = (initialSession && agentOfKey(initialSession)) ?? query.get("agent") ??
    saved.get("agent") ?? String(snapshot.defaultAgentId ?? agents[0] ?? "main");
  const [agentId, setAgentId] = useState(initialAgent);
  const [sessionKey, setSessionKey] = useState(initialSession ?? `agent:${initialAgent}:main`);
  const [items, setItems] = useState<ChatItem[]>([]);
  const [notes, setNotes] = useState<ChatItem[]>([]);
  const [error, setError] = useState<string>();
  const [model, setModel] = useState("");
  const runIds = useRef(new Set<string>());
  /** Commands sent from this page, by runId, so their replies become local notes. */
  const commands = useRef(new Map<string, { text: string; ts: number }>());
  /** Replies of runs that ended before chat.send answered (immediate commands do). */
  const ended = useRef(new Map<string, string>());
  /** Unfinished runs of the transcript already waited for. */
  const waited = useRef(new Map<string, number>());
  /** Runs the gateway answered as a chat command (lifecycle start names the command). */
  const commandRuns = useRef(new Set<string>());
  /** Agent events of runs not known yet (they can beat chat.send's answer), replayed once known. */
  const early = useRef(new Map<string, AgentEventPayload[]>());
  const listRef = useRef<HTMLDivElement>(null);
  const sessions = useRequest<{ sessions?: { sessionKey?: string }[] }>(client, "sessions.list", {
    limit: 100,
  });
  const history = useRequest<{ session?: { model?: string } | null }>(
    client,
    "chat.history",
    { sessionKey },
    sessionKey,
  );
  const agentInfo = useRequest<{ agents?: { id: string; models: string[] }[] }>(client, "ui.agents");
  const approvals = useRequest<{ approvals?: Approval[] }>(client, "approvals.list");
  const canSend = client.has("chat.send");

  useEffect(() => {
    const search = `?agent=${encodeURIComponent(agentId)}&session=${encodeURIComponent(sessionKey)}`;
    if (location.pathname === "/chat" && location.search !== search) {
      history_replace(`/chat${search}`);
    }
    sessionStorage.setItem(CHAT_PLACE, search);
    runIds.current = new Set();
    early.current = new Map();
    setItems([]);
    setNotes(loadNotes(localStorage, sessionKey));
    void client.subscribe({
      sessionKeys: [sessionKey],
      events: ["chat", "agent", "approval.requested", "approval.resolved"],
    });
  }, [sessionKey, agentId]);

  /** Keeps a command's reply as a local note; false when the run is not a command sent from here. */
  const note = (runId: string, reply: string): boolean => {
    const cmd = commands.current.get(runId);
    if (!cmd || !commandRuns.current.has(runId)) return false;
    commands.current.delete(runId);
    setNotes(saveNote(localStorage, sessionKey, { runId, command: cmd.text, reply, ts: cmd.ts }));
    return true;
  };

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
    // A run the transcript shows half done may still be running (its end events can fall between the
    // history read and the subscription): it stays "streaming", and the page re-reads when it ends.
    const open = unfinishedRun(h);
    const tries = open ? waited.current.get(open) ?? 0 : 0;
    if (open && tries < 20 && client.has("agent.wait")) {
      waited.current.set(open, tries + 1);
      const last = h.at(-1)!;
      if (last.role === "assistant") last.state = "streaming";
      client.request<{ status?: string }>("agent.wait", { runId: open, timeoutMs: 15_000 }).then(
        (r) => {
          if (r?.status !== "timeout") waited.current.set(open, 20);
          history.reload();
        },
        () => setTimeout(() => history.reload(), 1000),
      );
    }
    setItems((cur) => mergeHistory(cur, h));
  }, [history.data]);

  useEvent(client, "chat", (p) => {
    const ev = p as ChatEventPayload;
    if (ev.sessionKey !== sessionKey) return;
    know(ev.runId);
    setItems((cur) => applyChatEvent(cur, ev));
    if (ev.state === "delta") return;
    const reply = typeof ev.message?.content === "string" && ev.message.content
      ? ev.message.content
      : ev.errorMessage ?? "";
    if (!note(ev.runId, reply)) {
      ended.current.set(ev.runId, reply);
      if (ended.current.size > 20) ended.current.delete(ended.current.keys().next().value!);
    }
    history.reload();
  }, [sessionKey]);
  useEvent(client, "agent", (p) => {
    const ev = p as AgentEventPayload;
    if (ev.stream === "lifecycle" && typeof ev.data.command === "string") commandRuns.current.add(ev.runId);
    if (ev.stream === "lifecycle" && typeof ev.data.model === "string" && runIds.current.has(ev.runId)) {
      setModel(ev.data.model);
    }
    if (!runIds.current.has(ev.runId)) {
      const list = early.current.get(ev.runId) ?? [];
      if (list.length < 500) list.push(ev);
      early.current.set(ev.runId, list);
      if (early.current.size > 50) early.current.delete(early.current.keys().next().value!);
      return;
    }
    setItems((cur) => applyAgentEvent(cur, ev));
  }, [sessionKey]);
  // A run started elsewhere (CLI, a channel) that waits for an approval in this session is shown too.
  useEffect(() => {
    for (const a of approvals.data?.approvals ?? []) {
      if (a.sessionKey !== sessionKey || !a.runId || runIds.current.has(a.runId)) continue;
      const runId = a.runId;
      setItems((cur) =>
        cur.some((i) => i.runId === runId) ? cur : [...cur, {
          key: `a:${runId}`,
          role: "assistant",
          text: "",
          runId,
          state: "streaming",
          tools: [],
          chatSeq: 0,
          ts: a.createdAt,
        }]
      );
      know(runId);
    }
  }, [approvals.data, sessionKey]);
  useEvent(client, "approval.requested", () => approvals.reload());
  useEvent(client, "approval.resolved", () => approvals.reload());

  const shown = useMemo(() => {
    const live = new Set(items.map((i) => i.runId));
    return withNotes(items, notes.filter((n) => !live.has(n.runId)));
  }, [items, notes]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const sessionOptions = useMemo(() => {
    const keys = (sessions.data?.sessions ?? []).map((s) => s.sessionKey)
      .filter((k): k is string => !!k && (agentOfKey(k) ?? agentId) === agentId);
    return [...new Set([`agent:${agentId}:main`, sessionKey, ...keys])];
  }, [sessions.data, agentId, sessionKey]);

  const chain = agentInfo.data?.agents?.find((a) => a.id === agentId)?.models ?? [];
  const currentModel = history.data?.session?.model ?? (model || chain[0] || "");
  const running = activeRun(items);
  const waiting = new Map<string, Approval>();
  for (const a of approvals.data?.approvals ?? []) if (a.runId) waiting.set(a.runId, a);

  /** Sends (or re-sends) a message; the same idempotency key makes a retry start at most one run. */
  const deliver = async (local: ChatItem, idempotencyKey: string) => {
    setItems((cur) => cur.map((i) => (i.key === local.key ? { ...i, pending: "sending" } : i)));
    try {
      const r = await client.request<{ runId?: string }>("chat.send", {
        sessionKey,
        text: local.text,
        idempotencyKey,
        ...(local.attachments?.length
          ? {
            attachments: local.attachments.map((a) => ({
              type: "image",
              mimeType: a.mimeType,
              fileName: a.name,
              content: a.content,
            })),
          }
          : {}),
      });
      const runId = r?.runId;
      if (!runId) return;
      if (local.text.startsWith("/")) {
        commands.current.set(runId, { text: local.text, ts: local.ts ?? Date.now() });
      }
      void client.subscribe({ runIds: [runId] });
      setItems((cur) => {
        const next = cur.map((i) => (i.key === local.key ? { ...i, runId, pending: undefined } : i));
        // Shown at once, so the first reply after a start says "starting…" instead of nothing.
        return next.some((i) => i.role === "assistant" && i.runId === runId) ? next : [...next, {
          key: `a:${runId}`,
          role: "assistant",
          text: "",
          runId,
          state: "streaming",
          tools: [],
          chatSeq: 0,
          ts: Date.now(),
        }];
      });
      know(runId);
    } catch (err) {
      setItems((cur) => cur.map((i) => (i.key === local.key ? { ...i, pending: "failed" } : i)));
      setError((err as Error).message);
    }
  };

  const send = (text: string, extra?: Partial<ChatItem>) => {
    setError(undefined);
    const key = `local:${randomId()}`;
    const local: ChatItem = {
      key,
      role: "user",
      text,
      tools: [],
      ts: Date.now(),
      pending: "sending",
      ...extra,
    };
    setItems((cur) => [...cur, local]);
    void deliver(local, key);
  };

  const stop = () => {
    client.request("chat.abort", { sessionKey, ...(running ? { runId: running } : {}) })
      .catch((err) => setError(err.message));
  };

  const pick = (agent: string, key: string) => {
    setAgentId(agent);
    setSessionKey(key);
  };

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
                pick(a, `agent:${a}:main`);
              }}
            >
              {[...new Set([...agents, agentId])].map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </label>
          <label>
            Session{" "}
            <select
              id="session-picker"
              value={sessionKey}
              onChange={(e) => {
                const k = (e.target as HTMLSelectElement).value;
                pick(agentOfKey(k) ?? agentId, k);
              }}
            >
              {sessionOptions.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </label>
          <button
            type="button"
            id="new-chat"
            onClick={() => pick(agentId, `agent:${agentId}:webchat:${randomId()}`)}
          >
            New chat
          </button>
        </div>
      }
    >
      <form
        class="model-bar"
        onSubmit={(e) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).elements.namedItem("model") as HTMLInputElement;
          const ref = input.value.trim();
          if (ref && ref !== currentModel) send(`/model ${ref}`);
        }}
      >
        <label for="chat-model">Model</label>
        <input
          id="chat-model"
          name="model"
          list="chat-models"
          key={currentModel}
          defaultValue={currentModel}
          placeholder="provider/model"
          disabled={!canSend}
        />
        <datalist id="chat-models">{chain.map((m) => <option key={m} value={m} />)}</datalist>
        <button type="submit" disabled={!canSend}>Set model</button>
        <span class="muted" id="chat-session-label">{sessionKey}</span>
      </form>
      {!canSend && <Unavailable method="chat.send" what="Chat" />}
      {history.unavailable && <Unavailable method="chat.history" what="Chat history" />}
      <ErrorLine error={history.error} code={history.errorCode} />
      <a href="#chat-input" class="skip-link">Skip to the message input</a>
      <div class="chat-log" ref={listRef} aria-live="polite" aria-label="Messages" tabIndex={0}>
        {shown.length === 0 && <p class="muted">No messages in this session yet.</p>}
        {shown.map((it) => {
          const a = it.role === "assistant" && it.state === "streaming" && it.runId
            ? waiting.get(it.runId)
            : undefined;
          return (
            <Message
              key={it.key}
              item={it}
              nav={nav}
              onRetry={(failed) => void deliver(failed, failed.key)}
              approval={a && (
                <ApprovalCard client={client} approval={a} nav={nav} compact onDone={approvals.reload} />
              )}
            />
          );
        })}
      </div>
      <ErrorLine error={error} />
      <Composer
        canSend={canSend}
        running={!!running}
        onSend={(t, images) =>
          send(
            t,
            images.length
              ? { attachments: images.map(({ name, mimeType, content }) => ({ name, mimeType, content })) }
              : undefined,
          )}
        onStop={stop}
        onError={setError}
      />
    </Page>
  );
}

function history_replace(href: string) {
  history.replaceState(history.state, "", href);
}
