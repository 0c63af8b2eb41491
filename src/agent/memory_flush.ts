/**
 * Before an owner's conversation is compacted, one silent model call (no tools, not in the transcript, not
 * delivered) asks what is worth keeping; its bullet points are appended to today's daily note
 * (`memory/YYYY-MM-DD.md`), where memory search finds them after the turns themselves were summarised away.
 * Opt out with `memory.flushBeforeCompaction: false`.
 */
import type { StreamEvent } from "../providers/types.ts";
import type { TranscriptEntry } from "../store/transcripts.ts";
import { renderForSummary } from "./compaction.ts";
import type { ModelStreamer } from "./types.ts";

export const NOTHING = "NOTHING";

const FLUSH_SYSTEM =
  "You keep the long-term notes of an AI assistant. The conversation below is about to be " +
  "shortened. List what must not be forgotten: facts about the user and the people around them, preferences, " +
  "decisions, dates, promises and open to-dos. Short Markdown bullets (`- …`), at most 15, only what the " +
  `conversation says. If nothing is worth keeping, reply exactly ${NOTHING}.`;

/** `memory/YYYY-MM-DD.md` (UTC day of `now`). */
export function todayNote(now: number): string {
  return `memory/${new Date(now).toISOString().slice(0, 10)}.md`;
}

/**
 * Asks the model for notes and appends them to today's note in `workspace`. Returns the lines written
 * (0 when the model had nothing). Throws when the model call fails (the caller goes on compacting).
 */
export async function flushMemory(
  deps: { models: ModelStreamer },
  o: {
    chain: string[];
    summary?: string;
    entries: readonly TranscriptEntry[];
    workspace: string;
    now: number;
    signal: AbortSignal;
    maxChars: number;
  },
): Promise<{ path: string; lines: number }> {
  const text = renderForSummary(o.summary, o.entries, o.maxChars);
  let reply = "";
  const events: AsyncIterable<StreamEvent> = deps.models.stream(o.chain, {
    system: FLUSH_SYSTEM,
    messages: [{ role: "user", content: text }],
    tools: [],
    signal: o.signal,
  });
  for await (const ev of events) if (ev.type === "text") reply += ev.delta;
  const path = todayNote(o.now);
  const bullets = reply.split("\n").map((l) => l.trimEnd()).filter((l) => /^\s*[-*] \S/.test(l));
  if (reply.trim() === NOTHING || !bullets.length) return { path, lines: 0 };
  await Deno.mkdir(`${o.workspace}/memory`, { recursive: true, mode: 0o700 });
  const time = new Date(o.now).toISOString().slice(11, 16);
  const block = `\n## Notes before compaction (${time} UTC)\n${bullets.join("\n")}\n`;
  await Deno.writeTextFile(`${o.workspace}/${path}`, block, { append: true, create: true, mode: 0o600 });
  return { path, lines: bullets.length };
}
