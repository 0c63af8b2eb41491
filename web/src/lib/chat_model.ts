/**
 * The chat view's state as pure functions: transcript entries from `chat.history`, merged with live
 * `chat` and `agent` events. Live events are idempotent (per-run sequence numbers), and re-merging the
 * history after a reconnect keeps a run still in flight.
 */

export type ToolStatus = "running" | "ok" | "error";

export interface ToolCard {
  id: string;
  name: string;
  args: unknown;
  status: ToolStatus;
  ms?: number;
  output?: string;
  /** How much of the item's text had streamed when the call started: the card goes after that text. */
  at?: number;
}

export type ItemState = "streaming" | "final" | "error" | "aborted";

export interface ChatItem {
  key: string;
  role: "user" | "assistant" | "notice";
  text: string;
  runId?: string;
  state?: ItemState;
  error?: string;
  tools: ToolCard[];
  /** When it was written (transcript) or sent/first seen (live), ms since the epoch. */
  ts?: number;
  /** A message of this page not yet accepted by the gateway, or refused (it can be sent again). */
  pending?: "sending" | "failed";
  /** Images sent with a message of this page (kept for a retry; the transcript names their files). */
  attachments?: { name: string; mimeType: string; content: string }[];
  /** A slash command's reply kept in this browser (commands are not part of the transcript). */
  local?: boolean;
  /** Highest chat/agent seq applied (live items). */
  chatSeq?: number;
  agentSeq?: number;
}

export interface ChatEventPayload {
  runId: string;
  sessionKey: string;
  seq: number;
  state: "delta" | "final" | "error" | "aborted";
  message?: { role?: string; content?: unknown };
  errorMessage?: string;
}

export interface AgentEventPayload {
  runId: string;
  seq: number;
  stream: "lifecycle" | "assistant" | "tool";
  ts: number;
  data: Record<string, unknown>;
}

export interface HistoryEntry {
  seq?: number;
  kind: string;
  runId?: string;
  ts?: number;
  content: Record<string, unknown>;
}

/** Text of a message content that is a string or a list of `{type:"text", text}` parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : "")).join("");
  }
  return "";
}

const STATE: Record<ChatEventPayload["state"], ItemState> = {
  delta: "streaming",
  final: "final",
  error: "error",
  aborted: "aborted",
};

function assistantFor(items: ChatItem[], runId: string): [ChatItem[], number] {
  const i = items.findLastIndex((it) => it.role === "assistant" && it.runId === runId);
  if (i >= 0) return [items, i];
  const item: ChatItem = {
    key: `a:${runId}`,
    role: "assistant",
    text: "",
    runId,
    state: "streaming",
    tools: [],
    ts: Date.now(),
  };
  return [[...items, item], items.length];
}

/** Applies a `chat` event; an event older than one already applied is ignored. */
export function applyChatEvent(items: ChatItem[], ev: ChatEventPayload): ChatItem[] {
  const [next, i] = assistantFor(items, ev.runId);
  const cur = next[i]!;
  if (cur.chatSeq !== undefined && ev.seq <= cur.chatSeq) return items;
  // A late delta must not reopen a reply the transcript already holds as final.
  if (cur.chatSeq === undefined && cur.state === "final" && cur.text && ev.state === "delta") return items;
  const text = ev.message ? contentText(ev.message.content) : cur.text;
  const updated: ChatItem = {
    ...cur,
    text: text || cur.text,
    state: STATE[ev.state] ?? "streaming",
    chatSeq: ev.seq,
    ...(ev.errorMessage ? { error: ev.errorMessage } : {}),
  };
  const out = next.slice();
  out[i] = updated;
  return out;
}

/** Applies an `agent` event: tool calls become cards, a lifecycle end finishes the item. */
export function applyAgentEvent(items: ChatItem[], ev: AgentEventPayload): ChatItem[] {
  if (ev.stream === "assistant") return items;
  const [next, i] = assistantFor(items, ev.runId);
  const cur = next[i]!;
  if (cur.agentSeq !== undefined && ev.seq <= cur.agentSeq) return items;
  const d = ev.data;
  let tools = cur.tools;
  let state = cur.state;
  if (ev.stream === "tool") {
    const id = String(d.toolCallId ?? `${d.name}-${ev.seq}`);
    const existing = tools.findIndex((t) => t.id === id);
    if (d.phase === "start" || existing < 0) {
      tools = [...tools.filter((t) => t.id !== id), {
        id,
        name: String(d.name ?? "tool"),
        args: d.args ?? {},
        status: "running",
        at: cur.text.length,
      }];
    }
    if (d.phase === "end") {
      tools = tools.map((t) =>
        t.id === id
          ? {
            ...t,
            status: d.isError || (d.outcome !== undefined && d.outcome !== "ok") ? "error" : "ok",
            ms: typeof d.ms === "number" ? d.ms : undefined,
            output: typeof d.result === "string"
              ? d.result
              : d.result === undefined
              ? undefined
              : JSON.stringify(d.result),
          }
          : t
      );
    }
  } else if (ev.stream === "lifecycle" && d.phase === "end" && state === "streaming") {
    state = d.status === "error" ? "error" : d.status === "aborted" ? "aborted" : "final";
  }
  const out = next.slice();
  out[i] = { ...cur, tools, state, agentSeq: ev.seq };
  return out;
}

/** Builds items from transcript entries (oldest first). */
export function itemsFromHistory(entries: readonly HistoryEntry[]): ChatItem[] {
  const out: ChatItem[] = [];
  const byRun = new Map<string, ChatItem>();
  const assistant = (runId: string | undefined, key: string): ChatItem => {
    const found = runId ? byRun.get(runId) : undefined;
    if (found) return found;
    const item: ChatItem = { key, role: "assistant", text: "", runId, state: "final", tools: [], ts };
    out.push(item);
    if (runId) byRun.set(runId, item);
    return item;
  };
  let ts: number | undefined;
  for (const e of entries) {
    const c = e.content ?? {};
    const key = `h:${e.seq ?? out.length}`;
    ts = e.ts;
    switch (e.kind) {
      case "user":
        out.push({ key, role: "user", text: String(c.text ?? ""), runId: e.runId, tools: [], ts });
        break;
      case "assistant": {
        const item = assistant(e.runId, key);
        item.text = item.text ? `${item.text}\n\n${String(c.text ?? "")}` : String(c.text ?? "");
        break;
      }
      case "tool_call": {
        const item = assistant(e.runId, key);
        item.tools.push({
          id: String(c.id),
          name: String(c.name),
          args: c.arguments ?? {},
          status: "running",
          at: item.text.length,
        });
        break;
      }
      case "tool_result": {
        const item = assistant(e.runId, key);
        const t = item.tools.find((x) => x.id === c.toolCallId);
        if (t) {
          t.status = c.isError ? "error" : "ok";
          t.output = String(c.content ?? "");
        }
        break;
      }
      case "notice":
        out.push({ key, role: "notice", text: String(c.text ?? ""), runId: e.runId, tools: [], ts });
        break;
      case "compaction":
        out.push({
          key,
          role: "notice",
          text: `Earlier messages were summarised (${c.tokensBefore ?? "?"} → ${
            c.tokensAfter ?? "?"
          } tokens).`,
          tools: [],
          ts,
        });
        break;
    }
  }
  return out;
}

/**
 * Merges a fresh history with the current items: history is the truth for what it holds; live
 * assistant items of runs that history does not have a reply for yet (in flight) are kept at the end.
 */
export function mergeHistory(current: readonly ChatItem[], history: ChatItem[]): ChatItem[] {
  const done = new Set(history.filter((h) => h.role === "assistant" && h.text).map((h) => h.runId));
  const live = current.filter((c) =>
    c.role === "assistant" && c.runId && !done.has(c.runId) && c.chatSeq !== undefined
  );
  // A run's error that the transcript already holds as a notice is shown once, as the notice.
  const notices = new Set(history.filter((h) => h.role === "notice").map((h) => `${h.runId}\n${h.text}`));
  const dedupe = (l: ChatItem): ChatItem =>
    l.error && notices.has(`${l.runId}\n${l.error}`) ? { ...l, error: undefined } : l;
  const used = new Set<ChatItem>();
  const merged = history.map((h) => {
    if (h.role !== "assistant" || !h.runId) return h;
    const l = live.find((x) => x.runId === h.runId);
    if (l) {
      used.add(l);
      return dedupe({ ...l, tools: l.tools.length ? l.tools : h.tools });
    }
    // Tool cards seen live stay when the transcript does not list the calls; durations (which the
    // transcript does not keep) carry over to the transcript's cards. The item keeps its key, so what
    // the user opened stays open.
    const seen = current.find((c) => c.role === "assistant" && c.runId === h.runId);
    if (!seen) return h;
    if (!seen.tools.length) return { ...h, key: seen.key };
    if (!h.tools.length) return { ...h, key: seen.key, tools: seen.tools };
    return {
      ...h,
      key: seen.key,
      tools: h.tools.map((t) => {
        const ms = seen.tools.find((x) => x.id === t.id)?.ms;
        return t.ms === undefined && ms !== undefined ? { ...t, ms } : t;
      }),
    };
  });
  const pendingUsers = current.filter((c) => c.role === "user" && c.key.startsWith("local:"));
  for (const u of pendingUsers) {
    if (!history.some((h) => h.role === "user" && h.runId === u.runId)) merged.push(u);
  }
  for (const l of live) if (!used.has(l)) merged.push(dedupe(l));
  return merged;
}

/** The runId still streaming, if any (for the stop button). */
export function activeRun(items: readonly ChatItem[]): string | undefined {
  return items.findLast((i) => i.role === "assistant" && i.state === "streaming")?.runId;
}

/** One step of an assistant item: text, or a tool call, in the order they happened. */
export type Part = { kind: "text"; text: string } | { kind: "tool"; tool: ToolCard };

/** The item's text cut at each tool call: text streamed before a call comes before its card. */
export function itemParts(item: Pick<ChatItem, "text" | "tools">): Part[] {
  const out: Part[] = [];
  let from = 0;
  const tools = item.tools
    .map((tool, i) => ({ tool, i, at: Math.min(tool.at ?? item.text.length, item.text.length) }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { tool, at } of tools) {
    const text = item.text.slice(from, Math.max(from, at)).trim();
    if (text) out.push({ kind: "text", text });
    out.push({ kind: "tool", tool });
    from = Math.max(from, at);
  }
  const rest = item.text.slice(from).trim();
  if (rest) out.push({ kind: "text", text: rest });
  return out;
}

/** Local notes (command replies) placed among history items by time; items without a time keep their place. */
export function withNotes(items: readonly ChatItem[], notes: readonly ChatItem[]): ChatItem[] {
  if (!notes.length) return items as ChatItem[];
  const out: ChatItem[] = [];
  const queue = [...notes].sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  for (const it of items) {
    while (queue.length && it.ts !== undefined && (queue[0]!.ts ?? 0) < it.ts) out.push(queue.shift()!);
    out.push(it);
  }
  return [...out, ...queue];
}

/**
 * The run the transcript shows unfinished at its end — a user message without a reply, or a reply whose
 * last step is a tool call — which may still be running (the page then waits for it and re-reads).
 */
export function unfinishedRun(items: readonly ChatItem[]): string | undefined {
  const last = items.at(-1);
  if (!last?.runId) return undefined;
  if (last.role === "user") return last.runId;
  if (last.role !== "assistant" || !last.tools.length) return undefined;
  const lastTool = Math.max(...last.tools.map((t) => t.at ?? last.text.length));
  return last.text.slice(lastTool).trim() ? undefined : last.runId;
}
