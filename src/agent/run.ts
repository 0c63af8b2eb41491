/**
 * The agent runtime: starts runs, serialises them per session, handles chat commands, and offers the
 * session/history queries the gateway needs. See src/agent/mod.ts for how to wire it.
 */
import type { Config } from "../config/schema.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { TalonError } from "../core/errors.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newRunId } from "../core/ids.ts";
import { type Logger, silentLogger } from "../core/logger.ts";
import type { Session } from "../store/sessions.ts";
import type { TranscriptEntry } from "../store/transcripts.ts";
import type { ToolExecutor } from "../tools/types.ts";
import {
  type CommandHost,
  isImmediateCommand,
  parseCommand,
  type ParsedCommand,
  runCommand,
} from "./commands.ts";
import { compactSession, contextWindowOf } from "./compaction.ts";
import { loadActiveContext } from "./history.ts";
import { findAgent, resolveChain } from "./model_chain.ts";
import { createRunEmitter } from "./run_events.ts";
import { type AgentStore, executeRun, type RunControl } from "./run_exec.ts";
import { createRunDirs, workspaceFor } from "./run_workspace.ts";
import type { ModelStreamer, RunHandle, RunInput, RunResult, SkillsPort } from "./types.ts";
import { checkDailyBudget } from "./usage.ts";
import { capabilitiesOf } from "../security/capabilities.ts";
import { createWorkspaceReader } from "./prompt.ts";
import type { Transcriber } from "./media_input.ts";

export interface AgentRuntimeDeps {
  /** The config, or a getter returning the current one (hot reload). */
  config: Readonly<Config> | (() => Readonly<Config>);
  store: AgentStore;
  models: ModelStreamer;
  tools: ToolExecutor;
  bus: EventBus;
  clock?: Clock;
  logger?: Logger;
  paths: { workspaceDir: string };
  /** Skills (prompt list and `/skill-name` commands); none when absent. */
  skills?: SkillsPort;
  /** Transcribes voice notes (media.transcription); without it they reach the model as a note. */
  transcribe?: Transcriber;
}

export type WaitResult = RunResult | { runId: string; status: "timeout" | "unknown" };

export interface AgentRuntime {
  /**
   * Starts a run (or handles a chat command). Runs of one session execute one after another.
   * Throws TalonError NOT_FOUND for an unknown agent and BUDGET_EXCEEDED when the agent's daily
   * budget is spent (commands still work then).
   */
  start(input: RunInput): Promise<RunHandle>;
  /** Aborts a running or queued run. False when it is not running. */
  abort(runId: string): boolean;
  /** Aborts every running or queued run of a session; returns their ids. */
  abortSession(sessionKey: string): string[];
  /** The run's result, waiting up to `timeoutMs`; `unknown` for ids never seen (or long forgotten). */
  wait(runId: string, timeoutMs: number): Promise<WaitResult>;
  /**
   * Queues a user message into a running run: it is added before the next model call, and tool calls
   * of the current step that have not started are skipped. False when the run no longer takes one.
   */
  injectSteer(runId: string, text: string): boolean;
  /** The runId executing in a session, when any. */
  activeRun(sessionKey: string): string | undefined;
  /** The newest `limit` (default 200) entries of the session's current transcript, oldest first. */
  history(
    sessionKey: string,
    opts?: { limit?: number },
  ): Promise<{ session?: Session; entries: TranscriptEntry[] }>;
  listSessions(filter?: { agentId?: string; limit?: number }): Promise<Session[]>;
  getSession(sessionKey: string): Promise<Session | undefined>;
  /** Aborts the session's runs and starts a new transcript. The agent defaults from the key or config. */
  resetSession(sessionKey: string, agentId?: string): Promise<Session>;
  /** Forces a compaction of the session (like `/compact`); returns a line for the user. */
  compact(sessionKey: string, agentId?: string): Promise<string>;
  /** Aborts everything and waits for the runs to end. */
  close(): Promise<void>;
}

interface LiveRun extends RunControl {
  done: Promise<RunResult>;
  started: boolean;
}

const KEEP_FINISHED = 500;

/** Creates the agent runtime. */
export function createAgentRuntime(deps: AgentRuntimeDeps): AgentRuntime {
  const config = typeof deps.config === "function" ? deps.config : () => deps.config as Readonly<Config>;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const { store } = deps;
  const runs = new Map<string, LiveRun>();
  const finished = new Map<string, RunResult>();
  const tails = new Map<string, Promise<unknown>>();
  const runDeps = {
    ...deps,
    config,
    clock,
    logger,
    workspaces: createWorkspaceReader({ now: () => clock.now() }),
    runDirs: createRunDirs({ now: () => clock.now() }),
  };

  /** Runs `fn` after everything queued before on the same session. */
  const enqueue = <T>(sessionKey: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(sessionKey) ?? Promise.resolve();
    const next = prev.then(fn);
    const tail = next.catch(() => {});
    tails.set(sessionKey, tail);
    void tail.then(() => {
      if (tails.get(sessionKey) === tail) tails.delete(sessionKey);
    });
    return next;
  };

  const remember = (r: RunResult) => {
    finished.set(r.runId, r);
    if (finished.size > KEEP_FINISHED) finished.delete(finished.keys().next().value!);
  };

  const agentFromKey = (sessionKey: string) =>
    /^agent:([^:]+):/.exec(sessionKey)?.[1] ?? config().agents.defaultAgent;

  const abortReason = () => new TalonError("ABORTED", "The run was stopped.");

  const abort = (runId: string) => {
    const run = runs.get(runId);
    if (!run || run.controller.signal.aborted) return false;
    run.controller.abort(abortReason());
    return true;
  };

  const abortSession = (sessionKey: string) => {
    const ids: string[] = [];
    for (const run of runs.values()) {
      if (run.sessionKey === sessionKey && abort(run.runId)) ids.push(run.runId);
    }
    return ids;
  };

  const activeRun = (sessionKey: string) => {
    for (const run of runs.values()) if (run.sessionKey === sessionKey && run.started) return run.runId;
    return undefined;
  };

  const resetSession = async (sessionKey: string, agentId?: string) => {
    abortSession(sessionKey);
    const existing = await store.sessions.get(sessionKey);
    return await store.sessions.reset(sessionKey, agentId ?? existing?.agentId ?? agentFromKey(sessionKey));
  };

  const compact = async (sessionKey: string, agentId?: string): Promise<string> => {
    const session = await store.sessions.get(sessionKey);
    if (!session) return "Nothing to compact: this session has no messages yet.";
    const cfg = config();
    const chain = resolveChain(cfg, agentId ?? session.agentId, session.model);
    if (!chain.length) return "Cannot compact: no model is configured.";
    const controller = new AbortController();
    const timer = clock.setTimeout(
      () => controller.abort(new TalonError("TIMEOUT", "Compaction timed out.")),
      cfg.agents.defaults.runTimeoutMs,
    );
    try {
      const context = await loadActiveContext(store.transcripts, session.sessionId);
      const out = await compactSession(
        { models: deps.models, transcripts: store.transcripts },
        {
          sessionId: session.sessionId,
          context,
          chain,
          window: contextWindowOf(cfg, chain[0]),
          signal: controller.signal,
        },
      );
      if (!out.compacted) return `Nothing compacted: ${out.reason}.`;
      return `Compacted the conversation: about ${out.tokensBefore} → ${out.tokensAfter} tokens.`;
    } catch (err) {
      return `Compaction failed: ${(err as Error).message}`;
    } finally {
      clock.clearTimeout(timer);
    }
  };

  const host: CommandHost = {
    config,
    sessions: store.sessions,
    usage: store.usage,
    now: () => clock.now(),
    resetSession: (key, agentId) => resetSession(key, agentId),
    abortSession: (key) => abortSession(key).length,
    compact: (key, agentId) => compact(key, agentId),
    activeRun,
  };

  const startCommand = (cmd: ParsedCommand, input: RunInput, runId: string): RunHandle => {
    const { agentId, sessionKey } = input;
    const ev = createRunEmitter({ bus: deps.bus, clock, runId, sessionKey });
    const startedAt = clock.now();
    const exec = async (): Promise<RunResult> => {
      ev.emit("lifecycle", { phase: "start", agentId, command: cmd.name, startedAt });
      let text: string;
      let status: RunResult["status"] = "ok";
      try {
        text = await runCommand(cmd, { agentId, sessionKey }, host);
      } catch (err) {
        status = "error";
        text = `/${cmd.name} failed: ${(err as Error).message}`;
      }
      const session = await store.sessions.get(sessionKey).catch(() => undefined);
      const result: RunResult = {
        runId,
        agentId,
        sessionKey,
        sessionId: session?.sessionId ?? "",
        status,
        text,
        command: cmd.name,
        ...(status === "error" ? { error: { code: "INTERNAL", message: text } } : {}),
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false },
        steps: 0,
        attempts: 0,
        startedAt,
        endedAt: clock.now(),
      };
      ev.emit("lifecycle", { phase: "end", status, command: cmd.name });
      ev.chat(status === "ok" ? "final" : "error", text);
      remember(result);
      return result;
    };
    if (cmd.name === "new" || cmd.name === "reset") abortSession(sessionKey);
    const done = isImmediateCommand(cmd.name) ? exec() : enqueue(sessionKey, exec);
    return { runId, sessionKey, done };
  };

  return {
    async start(input: RunInput) {
      if (!input.sessionKey) throw new TypeError("start: sessionKey is required");
      if (typeof input.text !== "string") throw new TypeError("start: text must be a string");
      const cfg = config();
      if (!findAgent(cfg, input.agentId)) {
        const known = cfg.agents.list.map((a) => a.id).join(", ");
        throw new TalonError("NOT_FOUND", `Unknown agent "${input.agentId}". Configured agents: ${known}.`);
      }
      const runId = input.runId ?? newRunId();
      if (runs.has(runId) || finished.has(runId)) {
        throw new TalonError("CONFLICT", `Run ${runId} already exists`);
      }
      const cmd = parseCommand(input.text);
      if (cmd) return startCommand(cmd, input, runId);
      // The agent workspace's own skills only for runs that work there; others see the shared skills.
      const skillsFrom = capabilitiesOf(input.principal ?? { kind: "system" }).workspace === "agent"
        ? workspaceFor(cfg, deps.paths, input.agentId)
        : "";
      const skillText = await deps.skills?.expandCommand(input.text, skillsFrom).catch(() => undefined);
      if (skillText) input = { ...input, text: skillText };
      await checkDailyBudget({ config: cfg, usage: store.usage }, input.agentId, clock.now());

      const controller = new AbortController();
      const onExternalAbort = () => controller.abort(abortReason());
      if (input.signal?.aborted) onExternalAbort();
      else input.signal?.addEventListener("abort", onExternalAbort, { once: true });
      const run: LiveRun = {
        runId,
        agentId: input.agentId,
        sessionKey: input.sessionKey,
        text: input.text,
        ...(input.media?.length ? { media: input.media } : {}),
        source: input.source,
        principal: input.principal ?? { kind: "system" },
        controller,
        steer: [],
        acceptingSteer: true,
        started: false,
        done: undefined as unknown as Promise<RunResult>,
      };
      runs.set(runId, run);
      run.done = enqueue(input.sessionKey, () => {
        run.started = true;
        return executeRun(runDeps, run);
      }).finally(() => {
        input.signal?.removeEventListener("abort", onExternalAbort);
        runs.delete(runId);
      }).then((r) => {
        remember(r);
        return r;
      });
      return { runId, sessionKey: input.sessionKey, done: run.done };
    },
    abort,
    abortSession,
    wait(runId, timeoutMs) {
      const f = finished.get(runId);
      if (f) return Promise.resolve(f);
      const run = runs.get(runId);
      if (!run) return Promise.resolve({ runId, status: "unknown" as const });
      return new Promise<WaitResult>((resolve) => {
        const timer = clock.setTimeout(() => resolve({ runId, status: "timeout" }), Math.max(0, timeoutMs));
        void run.done.then((r) => {
          clock.clearTimeout(timer);
          resolve(r);
        });
      });
    },
    injectSteer(runId, text) {
      const run = runs.get(runId);
      if (!run || !run.acceptingSteer || run.controller.signal.aborted || !text.trim()) return false;
      run.steer.push(text);
      return true;
    },
    activeRun,
    async history(sessionKey, opts = {}) {
      const session = await store.sessions.get(sessionKey);
      if (!session) return { entries: [] };
      const entries = await store.transcripts.list(session.sessionId, { limit: opts.limit ?? 200 });
      return { session, entries };
    },
    listSessions: (filter) => store.sessions.list(filter),
    getSession: (key) => store.sessions.get(key),
    resetSession,
    compact: (key, agentId) => enqueue(key, () => compact(key, agentId)),
    async close() {
      const pending = [...runs.values()];
      for (const r of pending) abort(r.runId);
      await Promise.allSettled(pending.map((r) => r.done));
    },
  };
}
