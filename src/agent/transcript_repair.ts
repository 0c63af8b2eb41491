/**
 * Transcript repair, run before every provider call: every tool call gets exactly one result right
 * after the assistant message that made it. Results of unknown or repeated calls are dropped, and calls
 * without a result (a crash or abort mid-tool) get a synthetic "interrupted" result, so a session can
 * always be continued.
 */
import type { ChatMessage, ToolCall } from "../providers/types.ts";
import type { NewTranscriptEntry, TranscriptEntry } from "../store/transcripts.ts";

/** The result text a tool call gets when its real result never arrived. */
export const INTERRUPTED_RESULT = "interrupted: the tool did not finish (process restarted or run aborted)";

export interface RepairReport {
  messages: ChatMessage[];
  /** Calls that got a synthetic result. */
  synthesized: ToolCall[];
  /** Tool results dropped (duplicates, or no matching call). */
  dropped: number;
}

/** Returns a repaired copy of `messages`; the input is not modified. */
export function repairMessages(messages: readonly ChatMessage[]): RepairReport {
  // Results by call id, in order; any result may be claimed once by the call it answers.
  const results = new Map<string, Extract<ChatMessage, { role: "tool" }>>();
  let dropped = 0;
  for (const m of messages) {
    if (m.role !== "tool") continue;
    if (results.has(m.toolCallId)) dropped++;
    else results.set(m.toolCallId, m);
  }
  const out: ChatMessage[] = [];
  const synthesized: ToolCall[] = [];
  const answered = new Set<string>();
  for (const m of messages) {
    if (m.role === "tool") continue;
    if (m.role !== "assistant" || !m.toolCalls?.length) {
      out.push(m);
      continue;
    }
    const calls = m.toolCalls.filter((c) => !answered.has(c.id) && (answered.add(c.id), true));
    out.push(calls.length ? { ...m, toolCalls: calls } : { role: "assistant", content: m.content });
    for (const call of calls) {
      const r = results.get(call.id);
      if (r) {
        results.delete(call.id);
        out.push(r);
      } else {
        synthesized.push(call);
        out.push({
          role: "tool",
          toolCallId: call.id,
          name: call.name,
          content: INTERRUPTED_RESULT,
          isError: true,
        });
      }
    }
  }
  dropped += results.size; // results whose call is not in the history
  return { messages: out, synthesized, dropped };
}

/**
 * Tool calls in stored entries that have no result. The runtime appends a synthetic result for each
 * (see `orphanResults`) when it loads a session, so the stored transcript is repaired too.
 */
export function findOrphanCalls(
  entries: readonly TranscriptEntry[],
): Extract<TranscriptEntry, { kind: "tool_call" }>[] {
  const answered = new Set<string>();
  for (const e of entries) if (e.kind === "tool_result") answered.add(e.content.toolCallId);
  const seen = new Set<string>();
  const orphans: Extract<TranscriptEntry, { kind: "tool_call" }>[] = [];
  for (const e of entries) {
    if (e.kind !== "tool_call" || answered.has(e.content.id) || seen.has(e.content.id)) continue;
    seen.add(e.content.id);
    orphans.push(e);
  }
  return orphans;
}

/** Synthetic result entries for orphaned calls. */
export function orphanResults(
  orphans: readonly Extract<TranscriptEntry, { kind: "tool_call" }>[],
  runId: string | undefined,
  estimate: (text: string) => number,
): NewTranscriptEntry[] {
  return orphans.map((o) => ({
    kind: "tool_result" as const,
    runId,
    content: {
      toolCallId: o.content.id,
      name: o.content.name,
      content: INTERRUPTED_RESULT,
      isError: true,
      synthetic: true,
    },
    tokens: estimate(INTERRUPTED_RESULT),
  }));
}
