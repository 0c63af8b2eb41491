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
import { ProviderError } from "../providers/types.ts";
import type { MediaRef } from "../core/types.ts";
import type { Transcriber } from "./media_input.ts";
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
  estimateTokens,
  estimateToolTokens,
  needsCompaction,
} from "./compaction.ts";
import { toMessages } from "./history.ts";
import { findAgent, noProviderMessage, resolveChain } from "./model_chain.ts";
import { buildSystemPrompt, measureRequestBytes, type WorkspaceReader } from "./prompt.ts";
import { createRunEmitter, type RunEmitter } from "./run_events.ts";
import { recordRunEnd } from "./run_record.ts";
import { answeringRef, newStepState, type StepState, streamStep } from "./run_step.ts";
import { type RunDirs, workspaceFor } from "./run_workspace.ts";
import { createToolImages } from "./tool_images.ts";
import { repairMessages } from "./transcript_repair.ts";
import type { ModelStreamer, RunResult, RunSource, RunStatus, RunUsage, SkillsPort } from "./types.ts";
import { costUsd } from "./usage.ts";
import { runFailure } from "./user_notice.ts";
import { entryMaker, openTurn, runStepTools } from "./run_turn.ts";

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
  /** What the model calls so far added up to: attempts, the model that answered last, usage. */
  const tally: Tally = { attempts: 0, model: undefined, usage };
  let reply = "";
  let status: RunStatus = "ok";
  let error: RunResult["error"];
  const timer = clock.setTimeout(() => {
    const secs = Math.round(config.agents.defaults.runTimeoutMs / 1000);
    rc.controller.abort(new TalonError("TIMEOUT", `The run took longer than ${secs} s and was stopped.`));
  }, config.agents.defaults.runTimeoutMs);

  const append = async (entries: NewTranscriptEntry[]) => await store.transcripts.append(sessionId, entries);
  const entry = entryMaker(runId);

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
    const opened = await openTurn({
      config,
      deps,
      rc,
      log,
      model: chain[0],
      sessionId: created ? undefined : sessionId,
      append,
      entry,
    });
    const images = opened.images;
    let context = opened.context;
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

    // The prompt of each step: the time and the summary (after a compaction) change between steps.
    const systemPrompt = () =>
      buildSystemPrompt({
        agentId,
        agentName: agent?.name,
        files,
        now: clock.now(),
        summary: context.summary,
        memoryTools,
        sections: skillsSection ? [skillsSection] : undefined,
      });

    while (true) {
      if (signal.aborted) throw signal.reason;
      if (rc.steer.length) {
        const texts = rc.steer.splice(0);
        context.entries.push(...await append(texts.map((text) => entry("user", { text, steer: true }))));
      }
      let system = systemPrompt();
      const tokens = estimateTokens(system) + toolTokens + entriesTokens(context.entries);
      if (needsCompaction(tokens, window) && await compact(false)) system = systemPrompt();
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
        await recordAttempts({ config, store, ev, rc }, tally, state, bytes, steps);
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
      await recordAttempts({ config, store, ev, rc }, tally, state, bytes, steps);
      const stepText = state.text;
      if (stepText) reply = prefix + stepText;
      const stepEntries: NewTranscriptEntry[] = [];
      if (stepText || !state.toolCalls.length) {
        stepEntries.push(
          entry("assistant", {
            text: stepText,
            model: tally.model,
            ...(state.stop ? { stop: state.stop } : {}),
          }),
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
      context.entries.push(
        ...await runStepTools(
          { deps, rc, ev, ctx: { ...toolCtx, runId, signal }, append, entry },
          state.toolCalls,
        ),
      );
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
    const failure = runFailure(signal.aborted ? signal.reason : err, signal.aborted);
    status = failure.status;
    error = failure.error;
    if (failure.userText !== undefined) {
      if (error.code === "INTERNAL") log.error("run failed", { error: error.message });
      else log.warn("run failed", { code: error.code, error: error.message });
      reply = reply ? `${reply}\n\n${failure.userText}` : failure.userText;
    }
    if (userAppended) {
      await append([entry("notice", { text: error.message, code: error.code })]).catch(() => {});
    }
    return await finish();
  } finally {
    clock.clearTimeout(timer);
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
      attempts: tally.attempts,
      ...(tally.model ? { model: tally.model } : {}),
      startedAt,
      endedAt,
    };
    await recordRunEnd({ store, log, ev }, result, rc.source, rc.principal);
    return result;
  }
}

/** What a run's model calls added up to so far. */
interface Tally {
  attempts: number;
  /** The model that answered last. */
  model: string | undefined;
  usage: RunUsage;
}

/**
 * Adds a step's model attempts to the run's tally (usage estimated from the request's size when the
 * provider sent none) and reports each on the bus and as a `model.attempt` milestone.
 */
async function recordAttempts(
  run: { config: Readonly<Config>; store: AgentStore; ev: RunEmitter; rc: RunControl },
  tally: Tally,
  state: StepState,
  bytes: number,
  step: number,
): Promise<void> {
  const { ev, rc } = run;
  const usage = tally.usage;
  tally.attempts += state.attempts.length;
  const ref = answeringRef(state);
  if (!state.sawUsage && (state.text || state.toolCalls.length)) {
    state.inputTokens = Math.ceil(bytes / 4);
    state.outputTokens = estimateTokens(state.text + JSON.stringify(state.toolCalls));
    usage.estimated = true;
  }
  if (state.text || state.toolCalls.length || state.sawUsage) {
    tally.model = ref ?? tally.model;
    usage.inputTokens += state.inputTokens;
    usage.outputTokens += state.outputTokens;
    usage.costUsd += costUsd(run.config, ref, state.inputTokens, state.outputTokens);
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
    await run.store.milestones.add({
      runId: rc.runId,
      sessionKey: rc.sessionKey,
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
