/**
 * One run, start to end: load the session, build the prompt, then model call → tools → model call …
 * until a final answer, `maxSteps`, an abort or the timeout. Every step is appended to the transcript,
 * streamed on the bus and recorded as a milestone.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { describeError, TalonError } from "../core/errors.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import type { Principal } from "../core/principal.ts";
import { describePrincipal } from "../security/capabilities.ts";
import { type ImageInput, ProviderError } from "../providers/types.ts";
import type { MediaRef } from "../core/types.ts";
import { mediaMilestone, prepareMedia, type Transcriber } from "./media_input.ts";
import { flushMemory } from "./memory_flush.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { MilestoneRepo } from "../store/milestones.ts";
import type { SessionRepo, UsageRepo } from "../store/sessions.ts";
import type { NewTranscriptEntry, TranscriptRepo } from "../store/transcripts.ts";
import type { ToolExecutor } from "../tools/types.ts";
import {
  compactSession,
  contextWindowOf,
  entriesTokens,
  estimateEntryTokens,
  estimateTokens,
  estimateToolTokens,
  needsCompaction,
} from "./compaction.ts";
import { type ActiveContext, loadActiveContext, toMessages } from "./history.ts";
import { findAgent, noProviderMessage, resolveChain } from "./model_chain.ts";
import { buildSystemPrompt, measureRequestBytes, type WorkspaceReader } from "./prompt.ts";
import { createRunEmitter } from "./run_events.ts";
import { recordRunEnd } from "./run_record.ts";
import {
  answeringRef,
  newStepState,
  runToolCall,
  skippedCall,
  type StepState,
  streamStep,
  type ToolRunRecord,
} from "./run_step.ts";
import { type RunDirs, workspaceFor } from "./run_workspace.ts";
import { createToolImages } from "./tool_images.ts";
import { findOrphanCalls, orphanResults, repairMessages } from "./transcript_repair.ts";
import type { ModelStreamer, RunResult, RunSource, RunStatus, RunUsage, SkillsPort } from "./types.ts";
import { costUsd } from "./usage.ts";
import { userErrorText } from "./user_notice.ts";

/** The repositories the runtime uses. `agentStoreFrom(store)` in mod.ts builds it from an open Store. */
export interface AgentStore {
  sessions: SessionRepo;
  transcripts: TranscriptRepo;
  usage: UsageRepo;
  milestones: MilestoneRepo;
  audit: AuditRepo;
}

export interface RunDeps {
  config: () => Readonly<Config>;
  store: AgentStore;
  models: ModelStreamer;
  tools: ToolExecutor;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  paths: { workspaceDir: string };
  /** Reads (and on first use creates) workspaces; shared by the runs of one runtime. */
  workspaces: WorkspaceReader;
  /** The directories runs work in; shared by the runs of one runtime. */
  runDirs: RunDirs;
  /** Skills: their list enters the system prompt. */
  skills?: SkillsPort;
  /** Transcribes voice notes (media.transcription); without it they become a note. */
  transcribe?: Transcriber;
}

/** The live state of a run that the runtime (abort, steer) shares with the executing loop. */
export interface RunControl {
  runId: string;
  agentId: string;
  sessionKey: string;
  text: string;
  /** Media received with the message: images for vision models, voice notes to transcribe. */
  media?: MediaRef[];
  source?: RunSource;
  /** Who caused the run; decides its tools, session reach and workspace. */
  principal: Principal;
  controller: AbortController;
  /** Steering messages waiting for the next model call. */
  steer: string[];
  /** False once the run can no longer take steering messages. */
  acceptingSteer: boolean;
}

/** The notice added when a run hits its step limit. */
export function maxStepsNotice(maxSteps: number): string {
  return `Stopped after ${maxSteps} model steps (the limit for this agent) before a final answer. ` +
    `Send a message to continue, or raise agents.defaults.maxSteps.`;
}

/** Executes a run. Never throws: every failure ends as a RunResult with status error or aborted. */
export async function executeRun(deps: RunDeps, rc: RunControl): Promise<RunResult> {
  const config = deps.config();
  const { clock, store } = deps;
  const { runId, agentId, sessionKey } = rc;
  const signal = rc.controller.signal;
  const log = deps.logger.child({ runId, sessionKey });
  const ev = createRunEmitter({ bus: deps.bus, clock, runId, sessionKey });
  const startedAt = clock.now();
  const agent = findAgent(config, agentId);
  const maxSteps = agent?.maxSteps ?? config.agents.defaults.maxSteps;
  const usage: RunUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false };
  let sessionId = "";
  let userAppended = false;
  let steps = 0;
  let attempts = 0;
  let model: string | undefined;
  let reply = "";
  let status: RunStatus = "ok";
  let error: RunResult["error"];
  const timer = clock.setTimeout(() => {
    const secs = Math.round(config.agents.defaults.runTimeoutMs / 1000);
    rc.controller.abort(new TalonError("TIMEOUT", `The run took longer than ${secs} s and was stopped.`));
  }, config.agents.defaults.runTimeoutMs);

  const append = async (entries: NewTranscriptEntry[]) => await store.transcripts.append(sessionId, entries);
  const entry = <K extends NewTranscriptEntry["kind"]>(
    kind: K,
    content: Extract<NewTranscriptEntry, { kind: K }>["content"],
  ) => ({ kind, content, runId, tokens: estimateEntryTokens(content) }) as NewTranscriptEntry;

  try {
    // A heartbeat turn is not a chat: the session's last chat stays where its replies go.
    const lastChat = rc.source?.channel === "heartbeat" ? undefined : rc.source;
    const { session, created } = await store.sessions.open(sessionKey, agentId, lastChat);
    sessionId = session.sessionId;
    const chain = resolveChain(config, agentId, session.model);
    ev.emit("lifecycle", { phase: "start", agentId, sessionId, model: chain[0] ?? null, startedAt });
    await store.milestones.add({
      runId,
      sessionKey,
      kind: "run.start",
      data: {
        agentId,
        sessionId,
        model: chain[0] ?? null,
        channel: rc.source?.channel ?? null,
        principal: describePrincipal(rc.principal),
      },
    });
    log.info("run started", { agentId, model: chain[0] });
    if (!chain.length) {
      reply = noProviderMessage(agentId);
      status = "error";
      error = { code: "UNAVAILABLE", message: reply };
      return await finish();
    }

    if (signal.aborted) throw signal.reason; // stopped while queued: leave the transcript alone
    const files = await deps.workspaces.read(workspaceFor(config, deps.paths, agentId));
    const workspace = await deps.runDirs.get(config, deps.paths, rc);
    // A session created by this run has no transcript yet: nothing to read.
    let context: ActiveContext = created
      ? { entries: [] }
      : await loadActiveContext(store.transcripts, sessionId);
    const orphans = findOrphanCalls(context.entries);
    if (orphans.length) {
      log.warn("repairing orphaned tool calls", { count: orphans.length });
      context.entries.push(...await append(orphanResults(orphans, runId, estimateTokens)));
    }
    // A run re-run after a restart already has its user message in the transcript: only what is new
    // (the "interrupted" note, messages merged since) is added, so the model sees the message once.
    let userText = withoutEarlierAttempt(rc.text, context.entries, runId);
    const images = new Map<number, ImageInput[]>();
    const rerun = context.entries.some((e) => e.kind === "user" && e.runId === runId);
    const media = rc.media?.length && !rerun
      ? await prepareMedia({ config, transcribe: deps.transcribe }, rc.media, chain[0], signal)
      : undefined;
    if (media) {
      userText = [userText, ...media.notes].filter(Boolean).join("\n\n");
      await store.milestones.add({ runId, sessionKey, kind: "media", data: mediaMilestone(media) });
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
    userAppended = true;
    const toolCtx = { sessionKey, agentId, workspace, channel: rc.source?.channel, principal: rc.principal };
    const toolSpecs = deps.tools.specs(toolCtx);
    const toolTokens = estimateToolTokens(toolSpecs);
    const memoryTools = toolSpecs.some((t) => t.name === "memory_search");
    // Skills are listed only to runs that can read them (the model reads a skill's SKILL.md with `read`).
    const skillsSection = deps.skills && toolSpecs.some((t) => t.name === "read")
      ? await deps.skills.promptSection(workspace).catch((err) => {
        log.warn(`skills unavailable for this run: ${(err as Error).message}`);
        return "";
      })
      : "";
    const window = contextWindowOf(config, chain[0]);
    const toolImages = createToolImages({ config, modelRef: chain[0], runId, logger: log });
    let overflowRetried = false;

    let flushed = !config.memory.enabled || !config.memory.flushBeforeCompaction ||
      rc.principal.kind !== "owner";
    const compact = async (aggressive: boolean) => {
      if (!flushed) {
        flushed = true; // once per run, and never in the way of the compaction itself
        await flushMemory({ models: deps.models }, {
          chain,
          summary: context.summary,
          entries: context.entries,
          workspace: workspaceFor(config, deps.paths, agentId),
          now: clock.now(),
          signal,
          maxChars: Math.floor(window * 4 * 0.6),
        }).then((r) => r.lines && log.info("memory notes written before compaction", r))
          .catch((err) => log.warn("memory flush failed", { error: describeError(err) }));
      }
      const out = await compactSession(
        { models: deps.models, transcripts: store.transcripts },
        { sessionId, context, chain, window, signal, runId, aggressive },
      );
      if (out.compacted) {
        context = out.context;
        ev.emit("lifecycle", {
          phase: "compaction",
          tokensBefore: out.tokensBefore,
          tokensAfter: out.tokensAfter,
        });
        log.info("compacted", { tokensBefore: out.tokensBefore, tokensAfter: out.tokensAfter });
      }
      return out.compacted;
    };

    while (true) {
      if (signal.aborted) throw signal.reason;
      if (rc.steer.length) {
        const texts = rc.steer.splice(0);
        context.entries.push(...await append(texts.map((text) => entry("user", { text, steer: true }))));
      }
      let system = buildSystemPrompt({
        agentId,
        agentName: agent?.name,
        files,
        now: clock.now(),
        summary: context.summary,
        memoryTools,
        sections: skillsSection ? [skillsSection] : undefined,
      });
      if (needsCompaction(estimateTokens(system) + toolTokens + entriesTokens(context.entries), window)) {
        if (await compact(false)) {
          system = buildSystemPrompt({
            agentId,
            agentName: agent?.name,
            files,
            now: clock.now(),
            summary: context.summary,
            memoryTools,
            sections: skillsSection ? [skillsSection] : undefined,
          });
        }
      }
      const req = {
        system,
        messages: repairMessages(
          toMessages(context.entries, new Map([...images, ...await toolImages.collect(context.entries)])),
        ).messages,
        tools: toolSpecs,
        signal,
      };
      const bytes = measureRequestBytes(req);
      usage.requestBytes = Math.max(usage.requestBytes, bytes);
      steps++;
      const state = newStepState();
      const prefix = reply ? reply + "\n\n" : "";
      try {
        await streamStep({
          models: deps.models,
          chain,
          req,
          state,
          onText: (delta) => {
            ev.emit("assistant", { delta, text: state.text });
            ev.chat("delta", prefix + state.text);
          },
          onThinking: (delta) => ev.emit("assistant", { thinking: delta }),
        });
      } catch (err) {
        await recordAttempts(state, bytes, steps);
        const overflow = err instanceof ProviderError && err.kind === "context_overflow";
        if (overflow && !overflowRetried && !state.text && !state.toolCalls.length && !signal.aborted) {
          overflowRetried = true;
          log.warn("context overflow: compacting and retrying once");
          if (await compact(true)) {
            steps--;
            continue;
          }
        }
        if (state.text) {
          reply = prefix + state.text;
          await append([entry("assistant", { text: state.text, stop: "interrupted" })]);
        }
        throw err;
      }
      await recordAttempts(state, bytes, steps);
      const stepText = state.text;
      if (stepText) reply = prefix + stepText;
      const stepEntries: NewTranscriptEntry[] = [];
      if (stepText || !state.toolCalls.length) {
        stepEntries.push(
          entry("assistant", { text: stepText, model, ...(state.stop ? { stop: state.stop } : {}) }),
        );
      }
      for (const call of state.toolCalls) {
        stepEntries.push(entry("tool_call", { id: call.id, name: call.name, arguments: call.arguments }));
      }
      context.entries.push(...await append(stepEntries));

      if (!state.toolCalls.length) {
        // A steering message that arrived during the final answer still gets an answer.
        if (rc.steer.length && steps < maxSteps) continue;
        break;
      }
      for (const call of state.toolCalls) {
        let rec: ToolRunRecord;
        if (signal.aborted) {
          rec = await runToolCall({ tools: deps.tools, call, ctx: { ...toolCtx, runId, signal }, clock });
        } else if (rc.steer.length) rec = skippedCall(call);
        else {
          ev.emit("tool", { phase: "start", toolCallId: call.id, name: call.name, args: call.arguments });
          rec = await runToolCall({ tools: deps.tools, call, ctx: { ...toolCtx, runId, signal }, clock });
        }
        ev.emit("tool", {
          phase: "end",
          toolCallId: call.id,
          name: call.name,
          outcome: rec.outcome,
          ms: rec.ms,
          isError: rec.result.isError ?? false,
          result: rec.result.content.length > 2000
            ? rec.result.content.slice(0, 2000) + "…"
            : rec.result.content,
        });
        await store.milestones.add({
          runId,
          sessionKey,
          kind: "tool.call",
          data: { tool: call.name, toolCallId: call.id, ms: rec.ms, outcome: rec.outcome },
        });
        context.entries.push(
          ...await append([
            entry("tool_result", {
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
      if (signal.aborted) throw signal.reason;
      if (steps >= maxSteps) {
        const notice = maxStepsNotice(maxSteps);
        await append([entry("notice", { text: notice, code: "MAX_STEPS" })]);
        ev.emit("lifecycle", { phase: "notice", code: "MAX_STEPS", text: notice });
        reply = reply ? `${reply}\n\n${notice}` : notice;
        break;
      }
    }
    return await finish();
  } catch (err) {
    const reason = signal.aborted ? signal.reason : err;
    if (reason instanceof TalonError && reason.code === "ABORTED" && signal.aborted) {
      status = "aborted";
      error = { code: "ABORTED", message: reason.message };
    } else {
      status = "error";
      const code = reason instanceof TalonError ? reason.code : "INTERNAL";
      const message = reason instanceof TalonError ? reason.message : describeError(reason);
      error = { code, message };
      if (code === "INTERNAL") log.error("run failed", { error: message });
      else log.warn("run failed", { code, error: message });
      // The user gets one friendly sentence; the details stay in `error` (log, timeline, transcript).
      const text = code === "TIMEOUT" ? message : userErrorText(reason);
      reply = reply ? `${reply}\n\n${text}` : text;
    }
    if (userAppended) {
      await append([entry("notice", { text: error.message, code: error.code })]).catch(() => {});
    }
    return await finish();
  } finally {
    clock.clearTimeout(timer);
  }

  async function recordAttempts(state: StepState, bytes: number, step: number) {
    attempts += state.attempts.length;
    const ref = answeringRef(state);
    if (!state.sawUsage && (state.text || state.toolCalls.length)) {
      state.inputTokens = Math.ceil(bytes / 4);
      state.outputTokens = estimateTokens(state.text + JSON.stringify(state.toolCalls));
      usage.estimated = true;
    }
    if (state.text || state.toolCalls.length || state.sawUsage) {
      model = ref ?? model;
      usage.inputTokens += state.inputTokens;
      usage.outputTokens += state.outputTokens;
      usage.costUsd += costUsd(config, ref, state.inputTokens, state.outputTokens);
    }
    for (const a of state.attempts) {
      ev.emit("lifecycle", {
        phase: "attempt",
        provider: a.provider,
        model: a.model,
        ok: a.ok,
        errorKind: a.errorKind,
        ms: a.ms,
      });
      await store.milestones.add({
        runId,
        sessionKey,
        kind: "model.attempt",
        data: {
          provider: a.provider,
          model: a.model,
          ok: a.ok,
          ms: a.ms,
          step,
          requestBytes: bytes,
          ...(a.errorKind ? { failoverReason: a.errorKind } : {}),
          ...(a.ok ? { inputTokens: state.inputTokens, outputTokens: state.outputTokens } : {}),
        },
      });
    }
  }

  async function finish(): Promise<RunResult> {
    rc.acceptingSteer = false;
    const endedAt = clock.now();
    const result: RunResult = {
      runId,
      agentId,
      sessionKey,
      sessionId,
      status,
      text: reply,
      ...(error ? { error } : {}),
      usage,
      steps,
      attempts,
      ...(model ? { model } : {}),
      startedAt,
      endedAt,
    };
    await recordRunEnd({ store, log, ev }, result, rc.source, rc.principal);
    return result;
  }
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
