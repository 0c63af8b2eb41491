/**
 * Pure queue operations on one session's pending messages: admission under a cap with a drop policy,
 * and taking the next turn (debounce grouping, `collect` merging).
 */
import type { QueueMode } from "../config/sections/agents.ts";
import type { JobMessage, Lane } from "./protocol.ts";

export type DropPolicy = "old" | "new" | "summarize";

/** A message waiting in a session's queue. */
export interface QueuedItem extends JobMessage {
  lane: Lane;
  mode: QueueMode;
  /** 1 + how many times it was re-queued after its worker died. */
  attempt: number;
  inboxId?: number;
  timeoutMs?: number;
  /** Scheduler clock time it entered the queue (debounce and wait times use it). */
  queuedAt: number;
}

export interface Admission {
  accepted: boolean;
  /** Items removed from the queue (or the refused newcomer) by the cap. */
  dropped: QueuedItem[];
  /** One-line summaries to prepend to the next turn (`summarize` policy). */
  summaries: string[];
}

const MAX_SUMMARY = 120;

/** A one-line description of a payload: its `text` field when it has one, else its JSON. */
export function summarizePayload(payload: unknown): string {
  const text =
    payload && typeof payload === "object" && typeof (payload as { text?: unknown }).text === "string"
      ? (payload as { text: string }).text
      : JSON.stringify(payload) ?? String(payload);
  return oneLine(text);
}

/** Collapses whitespace and truncates to one short line. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_SUMMARY ? flat.slice(0, MAX_SUMMARY - 1) + "…" : flat;
}

/** Adds `item` to `pending` (mutated), applying the cap and drop policy. */
export function admit(pending: QueuedItem[], item: QueuedItem, cap: number, policy: DropPolicy): Admission {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`queue cap must be an integer ≥ 1, got ${cap}`);
  if (pending.length < cap) {
    pending.push(item);
    return { accepted: true, dropped: [], summaries: [] };
  }
  if (policy === "new") return { accepted: false, dropped: [item], summaries: [] };
  const dropped = pending.splice(0, pending.length - cap + 1);
  pending.push(item);
  return {
    accepted: true,
    dropped,
    summaries: policy === "summarize" ? dropped.map((d) => d.summary) : [],
  };
}

/**
 * Removes and returns the items of the next turn: everything of the head's lane when the head was queued
 * in `collect` mode; otherwise the head plus the messages its sender sent right after it (each within
 * `debounceMs` of the previous one).
 */
export function takeTurn(pending: QueuedItem[], debounceMs: number): QueuedItem[] {
  const head = pending[0];
  if (!head) return [];
  if (head.mode === "collect") {
    const taken: QueuedItem[] = [];
    for (let i = 0; i < pending.length;) {
      if (pending[i]!.lane === head.lane) taken.push(...pending.splice(i, 1));
      else i++;
    }
    return taken;
  }
  let n = 1;
  if (debounceMs > 0 && head.senderId !== undefined) {
    while (n < pending.length) {
      const prev = pending[n - 1]!;
      const next = pending[n]!;
      if (next.lane !== head.lane || next.senderId !== head.senderId) break;
      if (next.queuedAt - prev.queuedAt > debounceMs) break;
      n++;
    }
  }
  return pending.splice(0, n);
}

/** The one line prepended to a turn for messages that were dropped or skipped. */
export function formatDropped(lines: readonly string[]): string {
  return lines.length === 0
    ? ""
    : `[${lines.length} earlier message(s) not answered: ${lines.map((l) => `"${l}"`).join("; ")}]`;
}
