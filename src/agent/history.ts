/** Turning stored transcript entries into the messages sent to a model. */
import type { ChatMessage, ImageInput } from "../providers/types.ts";
import type { TranscriptEntry, TranscriptRepo } from "../store/transcripts.ts";

/** The part of a transcript the model sees: the latest compaction summary and the entries after it. */
export interface ActiveContext {
  summary?: string;
  /** Seq of the compaction entry in force, when any. */
  compactionSeq?: number;
  entries: TranscriptEntry[];
}

/** Loads the active context of a transcript (everything the latest compaction did not summarise). */
export async function loadActiveContext(
  transcripts: TranscriptRepo,
  sessionId: string,
): Promise<ActiveContext> {
  const c = await transcripts.last(sessionId, "compaction");
  if (!c || c.kind !== "compaction") return { entries: await transcripts.list(sessionId) };
  const entries = await transcripts.list(sessionId, { fromSeq: c.content.firstKeptSeq });
  return {
    summary: c.content.summary,
    compactionSeq: c.seq,
    entries: entries.filter((e) => e.kind !== "compaction"),
  };
}

/**
 * Converts entries to chat messages: tool calls join the assistant message before them, consecutive
 * user entries are merged (alternation), notices and compactions are skipped. `images` (by entry seq)
 * are the images of this run's user message and tool results for a vision model.
 */
export function toMessages(
  entries: readonly TranscriptEntry[],
  images?: ReadonlyMap<number, ImageInput[]>,
): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    switch (e.kind) {
      case "user": {
        const own = images?.get(e.seq);
        if (last?.role === "user") {
          const merged = [...(last.images ?? []), ...(own ?? [])];
          out[out.length - 1] = {
            role: "user",
            content: `${last.content}\n\n${e.content.text}`,
            ...(merged.length ? { images: merged } : {}),
          };
        } else out.push({ role: "user", content: e.content.text, ...(own?.length ? { images: own } : {}) });
        break;
      }
      case "assistant":
        out.push({ role: "assistant", content: e.content.text });
        break;
      case "tool_call": {
        const call = { id: e.content.id, name: e.content.name, arguments: e.content.arguments };
        if (last?.role === "assistant") {
          out[out.length - 1] = { ...last, toolCalls: [...(last.toolCalls ?? []), call] };
        } else out.push({ role: "assistant", content: "", toolCalls: [call] });
        break;
      }
      case "tool_result": {
        const own = images?.get(e.seq);
        out.push({
          role: "tool",
          toolCallId: e.content.toolCallId,
          name: e.content.name,
          content: e.content.content,
          ...(e.content.isError ? { isError: true } : {}),
          ...(own?.length ? { images: own } : {}),
        });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
