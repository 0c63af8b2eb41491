/**
 * Context management. Token counts are estimates: characters / 4 (rounded up), a fair average for
 * English text and JSON with common tokenizers; good enough to decide *when* to compact, and cheap.
 * When the active context passes `COMPACT_THRESHOLD` of the model's window, the older turns are
 * summarised with one model call into a `compaction` entry. A split only ever happens at the start of
 * a user turn whose preceding tool calls all have their results, so a call is never split from its result.
 */
import type { Config } from "../config/schema.ts";
import type { StreamEvent } from "../providers/types.ts";
import type { NewTranscriptEntry, TranscriptEntry, TranscriptRepo } from "../store/transcripts.ts";
import type { ActiveContext } from "./history.ts";
import type { ModelStreamer } from "./types.ts";
import { type SizedToolSpec, toolSpecsSize } from "./request_size.ts";

/** Compact when the estimated context passes this fraction of the window. */
export const COMPACT_THRESHOLD = 0.75;
/** After compaction, keep recent turns up to this fraction of the window. */
export const KEEP_FRACTION = 0.3;
export const DEFAULT_CONTEXT_WINDOW = 128_000;

/** Estimated tokens of a text: ceil(chars / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Estimated tokens of the tool specs sent with every model call: `estimateTokens(JSON.stringify(specs))`,
 * without serialising the list on every turn (request_size.ts).
 */
export function estimateToolTokens(specs: readonly SizedToolSpec[]): number {
  return Math.ceil(toolSpecsSize(specs).chars / 4);
}

/** Estimated tokens of an entry's content (JSON) plus a small per-message overhead. */
export function estimateEntryTokens(content: unknown): number {
  return estimateTokens(JSON.stringify(content)) + 4;
}

/** Context window of a model ref: config.models.contextWindows[ref], else 128000. */
export function contextWindowOf(config: Pick<Config, "models">, ref: string | undefined): number {
  return (ref && config.models.contextWindows[ref]) || DEFAULT_CONTEXT_WINDOW;
}

/** Sum of the stored token estimates of entries. */
export function entriesTokens(entries: readonly TranscriptEntry[]): number {
  return entries.reduce((n, e) => n + e.tokens, 0);
}

/** True when `usedTokens` has reached the threshold of `window`. */
export function needsCompaction(usedTokens: number, window: number, threshold = COMPACT_THRESHOLD): boolean {
  return usedTokens >= window * threshold;
}

export interface CompactionPlan {
  summarise: TranscriptEntry[];
  keep: TranscriptEntry[];
}

/**
 * Splits entries into older ones to summarise and recent ones to keep (at most `keepTokens`, but
 * always at least the latest turn). Undefined when there is nothing older than the latest turn.
 */
export function planCompaction(
  entries: readonly TranscriptEntry[],
  keepTokens: number,
): CompactionPlan | undefined {
  const candidates: number[] = [];
  const open = new Set<string>();
  entries.forEach((e, i) => {
    if (e.kind === "user" && i > 0 && open.size === 0) candidates.push(i);
    if (e.kind === "tool_call") open.add(e.content.id);
    if (e.kind === "tool_result") open.delete(e.content.toolCallId);
  });
  if (!candidates.length) return undefined;
  let split = candidates[candidates.length - 1]!;
  for (let c = candidates.length - 1; c >= 0; c--) {
    const i = candidates[c]!;
    if (entriesTokens(entries.slice(i)) > keepTokens) break;
    split = i;
  }
  const summarise = entries.slice(0, split).filter((e) => e.kind !== "notice");
  if (!summarise.length) return undefined;
  return { summarise, keep: entries.slice(split) };
}

const SUMMARY_SYSTEM =
  "You maintain the memory of an AI assistant. Summarise the conversation below so the " +
  "assistant can continue it: who the user is, what they asked, decisions made, results of tool calls that " +
  "still matter, and open tasks. Plain text, concise (at most about 300 words). Do not add anything new.";

const MAX_RESULT_CHARS = 2_000;

/** Renders entries as plain text for the summarising model call. */
export function renderForSummary(
  previous: string | undefined,
  entries: readonly TranscriptEntry[],
  maxChars: number,
): string {
  const lines: string[] = [];
  for (const e of entries) {
    if (e.kind === "user") lines.push(`User: ${e.content.text}`);
    else if (e.kind === "assistant" && e.content.text) lines.push(`Assistant: ${e.content.text}`);
    else if (e.kind === "tool_call") {
      lines.push(`Tool call ${e.content.name}(${JSON.stringify(e.content.arguments)})`);
    } else if (e.kind === "tool_result") {
      const text = e.content.content.length > MAX_RESULT_CHARS
        ? e.content.content.slice(0, MAX_RESULT_CHARS) + " […]"
        : e.content.content;
      lines.push(`Tool result (${e.content.name})${e.content.isError ? " [error]" : ""}: ${text}`);
    }
  }
  let body = lines.join("\n");
  if (body.length > maxChars) body = "[…]\n" + body.slice(body.length - maxChars);
  return (previous ? `Summary so far:\n${previous}\n\nConversation since:\n` : "Conversation:\n") + body;
}

export interface CompactDeps {
  models: ModelStreamer;
  transcripts: TranscriptRepo;
}

export interface CompactOptions {
  sessionId: string;
  context: ActiveContext;
  chain: string[];
  window: number;
  signal: AbortSignal;
  runId?: string;
  /** Keep only the latest turn (used after a context overflow). */
  aggressive?: boolean;
}

export type CompactOutcome =
  | {
    compacted: true;
    entry: TranscriptEntry;
    context: ActiveContext;
    tokensBefore: number;
    tokensAfter: number;
  }
  | { compacted: false; reason: string };

/** Summarises the older part of the active context with one model call and appends a compaction entry. */
export async function compactSession(deps: CompactDeps, opts: CompactOptions): Promise<CompactOutcome> {
  const keepTokens = opts.aggressive ? 0 : Math.floor(opts.window * KEEP_FRACTION);
  const plan = planCompaction(opts.context.entries, keepTokens);
  if (!plan) return { compacted: false, reason: "nothing to compact: the conversation is a single turn" };
  const text = renderForSummary(opts.context.summary, plan.summarise, Math.floor(opts.window * 4 * 0.6));
  let summary = "";
  const events: AsyncIterable<StreamEvent> = deps.models.stream(opts.chain, {
    system: SUMMARY_SYSTEM,
    messages: [{ role: "user", content: text }],
    tools: [],
    signal: opts.signal,
  });
  for await (const ev of events) if (ev.type === "text") summary += ev.delta;
  summary = summary.trim();
  if (!summary) return { compacted: false, reason: "the model returned an empty summary" };
  const tokensBefore = entriesTokens(opts.context.entries) +
    (opts.context.summary ? estimateTokens(opts.context.summary) : 0);
  const tokensAfter = entriesTokens(plan.keep) + estimateTokens(summary);
  const newEntry: NewTranscriptEntry = {
    kind: "compaction",
    runId: opts.runId,
    content: { summary, firstKeptSeq: plan.keep[0]!.seq, tokensBefore, tokensAfter },
    tokens: estimateTokens(summary),
  };
  const [entry] = await deps.transcripts.append(opts.sessionId, [newEntry]);
  return {
    compacted: true,
    entry: entry!,
    context: { summary, compactionSeq: entry!.seq, entries: plan.keep },
    tokensBefore,
    tokensAfter,
  };
}
