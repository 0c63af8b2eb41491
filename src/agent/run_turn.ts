/**
 * The parts of a run around its model calls (run_exec.ts is the loop): opening its turn (context,
 * orphaned calls, the user's message and media) and running a step's tool calls.
 */
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/logger.ts";
import type { ImageInput, ToolCall } from "../providers/types.ts";
import type { NewTranscriptEntry, TranscriptEntry } from "../store/transcripts.ts";
import type { ToolContext } from "../tools/types.ts";
import { estimateEntryTokens, estimateTokens } from "./compaction.ts";
import { type ActiveContext, loadActiveContext } from "./history.ts";
import { mediaMilestone, prepareMedia } from "./media_input.ts";
import type { RunControl, RunDeps } from "./run_exec.ts";
import type { RunEmitter } from "./run_events.ts";
import { runToolCall, skippedCall, type ToolRunRecord } from "./run_step.ts";
import { findOrphanCalls, orphanResults } from "./transcript_repair.ts";

type AppendEntries = (entries: NewTranscriptEntry[]) => Promise<TranscriptEntry[]>;
type MakeEntry = ReturnType<typeof entryMaker>;

/**
 * A run's context before its first model call: the session's active transcript (none for a session this
 * run created), orphaned tool calls answered, and the user's message appended with what its media gave:
 * transcribed voice notes in the text, images for vision models by the entry's seq.
 */
export async function openTurn(p: {
  config: Readonly<Config>;
  deps: Pick<RunDeps, "store" | "transcribe">;
  rc: RunControl;
  log: Logger;
  model: string | undefined;
  /** The session to read, or undefined for one this run created. */
  sessionId: string | undefined;
  /** Appends to the run's session transcript; `entry` makes what it takes. */
  append: AppendEntries;
  entry: MakeEntry;
}): Promise<{ context: ActiveContext; images: Map<number, ImageInput[]> }> {
  const { rc, append, entry } = p;
  const { runId, sessionKey } = rc;
  const signal = rc.controller.signal;
  const context: ActiveContext = p.sessionId === undefined
    ? { entries: [] }
    : await loadActiveContext(p.deps.store.transcripts, p.sessionId);
  const orphans = findOrphanCalls(context.entries);
  if (orphans.length) {
    p.log.warn("repairing orphaned tool calls", { count: orphans.length });
    context.entries.push(...await append(orphanResults(orphans, runId, estimateTokens)));
  }
  // A run re-run after a restart already has its user message in the transcript: only what is new
  // (the "interrupted" note, messages merged since) is added, so the model sees the message once.
  let userText = withoutEarlierAttempt(rc.text, context.entries, runId);
  const images = new Map<number, ImageInput[]>();
  const rerun = context.entries.some((e) => e.kind === "user" && e.runId === runId);
  const media = rc.media?.length && !rerun
    ? await prepareMedia({ config: p.config, transcribe: p.deps.transcribe }, rc.media, p.model, signal)
    : undefined;
  if (media) {
    userText = [userText, ...media.notes].filter(Boolean).join("\n\n");
    await p.deps.store.milestones.add({ runId, sessionKey, kind: "media", data: mediaMilestone(media) });
  }
  if (userText) {
    const [userEntry] = await append([
      entry("user", {
        text: userText,
        ...(rc.source ? { source: rc.source } : {}),
        ...(rc.media?.length ? { media: rc.media } : {}),
      }),
    ]);
    context.entries.push(userEntry!);
    if (media?.images.length) images.set(userEntry!.seq, media.images);
  }
  return { context, images };
}

/** Makes a run's transcript entries, each with its token estimate. */
export function entryMaker(runId: string) {
  return <K extends NewTranscriptEntry["kind"]>(
    kind: K,
    content: Extract<NewTranscriptEntry, { kind: K }>["content"],
  ) => ({ kind, content, runId, tokens: estimateEntryTokens(content) }) as NewTranscriptEntry;
}

/**
 * Runs one step's tool calls in order, each announced on the bus, recorded as a milestone and appended to
 * the transcript; returns the appended results. After an abort every call still gets its (aborted)
 * result, and once a steering message waits the rest are skipped, so each call has an answer.
 */
export async function runStepTools(
  s: {
    deps: Pick<RunDeps, "tools" | "clock" | "store">;
    rc: RunControl;
    ev: RunEmitter;
    ctx: ToolContext;
    append: AppendEntries;
    entry: MakeEntry;
  },
  calls: readonly ToolCall[],
): Promise<TranscriptEntry[]> {
  const { deps, rc, ev, ctx } = s;
  const out: TranscriptEntry[] = [];
  for (const call of calls) {
    let rec: ToolRunRecord;
    if (ctx.signal.aborted) rec = await runToolCall({ tools: deps.tools, call, ctx, clock: deps.clock });
    else if (rc.steer.length) rec = skippedCall(call);
    else {
      ev.emit("tool", { phase: "start", toolCallId: call.id, name: call.name, args: call.arguments });
      rec = await runToolCall({ tools: deps.tools, call, ctx, clock: deps.clock });
    }
    ev.emit("tool", {
      phase: "end",
      toolCallId: call.id,
      name: call.name,
      outcome: rec.outcome,
      ms: rec.ms,
      isError: rec.result.isError ?? false,
      result: rec.result.content.length > 2000 ? rec.result.content.slice(0, 2000) + "…" : rec.result.content,
    });
    await deps.store.milestones.add({
      runId: rc.runId,
      sessionKey: rc.sessionKey,
      kind: "tool.call",
      data: { tool: call.name, toolCallId: call.id, ms: rec.ms, outcome: rec.outcome },
    });
    out.push(
      ...await s.append([
        s.entry("tool_result", {
          toolCallId: call.id,
          name: call.name,
          content: rec.result.content,
          ...(rec.result.isError ? { isError: true } : {}),
          ...(rec.result.images?.length
            ? { media: rec.result.images.map((i) => ({ kind: "image" as const, ...i })) }
            : {}),
        }),
      ]),
    );
  }
  return out;
}

/** `text` minus the user text an earlier attempt of the same run already wrote to the transcript. */
export function withoutEarlierAttempt(
  text: string,
  entries: readonly { kind: string; runId?: string; content: unknown }[],
  runId: string,
): string {
  let rest = text;
  for (const e of entries) {
    if (e.kind !== "user" || e.runId !== runId) continue;
    const earlier = (e.content as { text?: unknown }).text;
    if (typeof earlier === "string" && earlier && rest.includes(earlier)) rest = rest.replace(earlier, "");
  }
  return rest === text ? text : rest.replace(/\n{3,}/g, "\n\n").trim();
}
