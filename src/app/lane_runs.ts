/**
 * Runs agent turns through the lanes: every message goes into the durable inbox, then the scheduler,
 * then a shard worker. Offers the same RunService the gateway methods use, so callers get a runId at
 * once and a `done` promise that settles when the turn (in whatever worker) ends.
 * Immediate chat commands (/stop, /status, /help, /model, /queue) never wait behind a running turn.
 */
import type { AgentRuntime, RunInput, RunResult } from "../agent/mod.ts";
import { isImmediateCommand, parseCommand } from "../agent/mod.ts";
import { QUEUE_MODES, type QueueMode } from "../config/sections/agents.ts";
import { TalonError } from "../core/errors.ts";
import { newRunId } from "../core/ids.ts";
import type { Intake, Lane, Scheduler, Turn, TurnEnd } from "../lanes/mod.ts";
import type { RunService } from "../gateway/methods/agent_methods.ts";
import type { AgentJobPayload } from "./agent_job.ts";

/** Commands answered at once that are not in the agent's command table. */
const QUEUE_RE = /^\/queue(?:@\S+)?(?:\s+(\S+))?\s*$/i;
const HEARTBEAT_RE = /^\/heartbeat(?:@\S+)?(?:\s+(\S+))?\s*$/i;
const APPROVE_RE = /^\/approve(?:@\S+)?(?:\s+(\S+))?(?:\s+(\S+))?\s*$/i;

export interface LaneRunInput extends RunInput {
  /** channel + account + platform message id; duplicates are dropped. Default: unique per call. */
  dedupeKey?: string;
  mode?: QueueMode;
  senderId?: string;
  lane?: Lane;
}

export interface LaneRuns extends RunService {
  start(
    input: LaneRunInput,
  ): Promise<{ runId: string; sessionKey: string; done: Promise<RunResult>; duplicate?: boolean }>;
  /** Scheduler hook: a turn ended with a result. */
  settle(turn: Turn, result: RunResult): void;
  /** Scheduler hook: a turn failed for good; `notice` is what the user is told. */
  fail(turn: Turn, end: TurnEnd, notice: string): void;
  /**
   * Scheduler hook: a queued message was dropped (queue cap) or skipped (interrupt). Its run ends now
   * with `notice` as its text, so waiters (typing indicators, HTTP callers) are released.
   */
  drop(runId: string, target: { agentId: string; sessionKey: string }, notice: string): void;
}

/**
 * @param query the main-thread runtime (session queries and immediate commands; it shares the store),
 *   created on first use so an idle gateway never loads the provider SDKs.
 */
export function createLaneRuns(deps: {
  intake: Intake;
  scheduler: Scheduler;
  query: () => Promise<AgentRuntime>;
  /** Keeps a session's `/queue` mode across restarts (`undefined` = back to the default). */
  persistMode?(sessionKey: string, agentId: string, mode: QueueMode | undefined): Promise<void>;
  /** `/approve <id> allow-once|allow-always|deny`: resolves a pending tool approval; returns the reply. */
  approve?(id: string, decision: string, input: RunInput): Promise<string>;
  /** `/heartbeat [off|on|now]`: returns the reply (the owner's only; the handler checks). */
  heartbeat?(arg: string | undefined, input: RunInput): Promise<string>;
  /**
   * Commands answered on the main thread without waiting in line (/help, /status, /model, /stop,
   * /queue, /approve): their reply goes back through here, like any reply (the outbox for chats).
   */
  onCommandReply?(input: LaneRunInput, result: RunResult): void | Promise<void>;
  now?: () => number;
}): LaneRuns {
  const now = deps.now ?? Date.now;
  const pending = new Map<string, PromiseWithResolvers<RunResult>>();
  /** Session of every run still pending, for abort(runId). */
  const sessionOfRun = new Map<string, string>();
  const finished = new Map<string, RunResult>();
  const remember = (r: RunResult) => {
    finished.set(r.runId, r);
    if (finished.size > 1000) finished.delete(finished.keys().next().value!);
  };
  const deferred = (runId: string) => {
    let d = pending.get(runId);
    if (!d) {
      d = Promise.withResolvers<RunResult>();
      pending.set(runId, d);
    }
    return d;
  };
  const resolve = (result: RunResult) => {
    remember(result);
    const d = pending.get(result.runId);
    pending.delete(result.runId);
    sessionOfRun.delete(result.runId);
    d?.resolve(result);
  };
  const commandResult = (input: RunInput, runId: string, text: string, command: string): RunResult => ({
    runId,
    agentId: input.agentId,
    sessionKey: input.sessionKey,
    sessionId: "",
    status: "ok",
    text,
    command,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false },
    steps: 0,
    attempts: 0,
    startedAt: now(),
    endedAt: now(),
  });

  /** Whether `text` is a command answered at once, without waiting in line. */
  const isImmediate = (text: string): boolean => {
    const t = text.trim();
    if (
      QUEUE_RE.test(t) || (deps.heartbeat && HEARTBEAT_RE.test(t)) || (deps.approve && APPROVE_RE.test(t))
    ) {
      return true;
    }
    const cmd = parseCommand(t);
    return !!cmd && isImmediateCommand(cmd.name);
  };

  const immediate = (
    input: LaneRunInput,
  ): Promise<{ runId: string; sessionKey: string; done: Promise<RunResult> }> | undefined => {
    const text = input.text.trim();
    const queue = QUEUE_RE.exec(text);
    if (queue) {
      const runId = input.runId ?? newRunId();
      const mode = queue[1]?.toLowerCase();
      let reply: string;
      if (!mode) {
        reply = `Queue mode: ${deps.scheduler.sessionMode(input.sessionKey) ?? "default"}. ` +
          `Use /queue ${QUEUE_MODES.join("|")}|default.`;
      } else if (mode === "default" || mode === "reset") {
        deps.scheduler.setSessionMode(input.sessionKey, undefined);
        reply = "Queue mode reset to the default.";
      } else if ((QUEUE_MODES as readonly string[]).includes(mode)) {
        deps.scheduler.setSessionMode(input.sessionKey, mode as QueueMode);
        reply = `Queue mode for this session: ${mode}.`;
      } else {
        reply = `Unknown queue mode "${mode}". Use one of: ${QUEUE_MODES.join(", ")}, default.`;
      }
      const persisted = mode && !reply.startsWith("Unknown") && deps.persistMode
        ? deps.persistMode(input.sessionKey, input.agentId, deps.scheduler.sessionMode(input.sessionKey))
        : Promise.resolve();
      const result = commandResult(input, runId, reply, "queue");
      remember(result);
      return persisted.then(() => ({ runId, sessionKey: input.sessionKey, done: Promise.resolve(result) }));
    }
    const heartbeat = HEARTBEAT_RE.exec(text);
    if (heartbeat && deps.heartbeat) {
      const runId = input.runId ?? newRunId();
      return Promise.resolve(deps.heartbeat(heartbeat[1], input)).then((text) => {
        const result = commandResult(input, runId, text, "heartbeat");
        remember(result);
        return { runId, sessionKey: input.sessionKey, done: Promise.resolve(result) };
      });
    }
    const approve = APPROVE_RE.exec(text);
    if (approve && deps.approve) {
      const runId = input.runId ?? newRunId();
      const reply = !approve[1]
        ? "Usage: /approve <id> allow-once|allow-always|deny"
        : deps.approve(approve[1], (approve[2] ?? "allow-once").toLowerCase(), input);
      return Promise.resolve(reply).then((text) => {
        const result = commandResult(input, runId, text, "approve");
        remember(result);
        return { runId, sessionKey: input.sessionKey, done: Promise.resolve(result) };
      });
    }
    const cmd = parseCommand(text);
    if (!cmd || !isImmediateCommand(cmd.name)) return undefined;
    if (cmd.name === "stop") {
      const runId = input.runId ?? newRunId();
      const stopped = deps.scheduler.abort(input.sessionKey, "stopped by /stop");
      const result = commandResult(input, runId, stopped ? "Stopped." : "Nothing is running.", "stop");
      remember(result);
      return Promise.resolve({ runId, sessionKey: input.sessionKey, done: Promise.resolve(result) });
    }
    // /status, /help, /model read or change session state only: the main-thread runtime answers.
    return deps.query().then((q) => q.start(input)).then((h) => ({
      runId: h.runId,
      sessionKey: h.sessionKey,
      done: h.done,
    }));
  };

  const drop = (runId: string, target: { agentId: string; sessionKey: string }, notice: string) =>
    resolve({ ...duplicateResult(target, runId, now()), status: "error", text: notice });

  return {
    drop,
    async start(input) {
      if ((!input.text || !input.text.trim()) && !input.media?.length) {
        throw new TalonError("INVALID_REQUEST", "A message needs text");
      }
      if (input.dedupeKey && input.text && isImmediate(input.text)) {
        // A platform may deliver a message again (a restart before its offset was saved): the command
        // must not act or answer twice. It is recorded as done before it acts.
        const runId = input.runId ?? newRunId();
        const again = await deps.intake.seen({
          dedupeKey: input.dedupeKey,
          sessionKey: input.sessionKey,
          agentId: input.agentId,
          runId,
          summary: input.text.slice(0, 200),
        });
        if (again) {
          return {
            runId,
            sessionKey: input.sessionKey,
            done: Promise.resolve(duplicateResult(input, runId, now())),
            duplicate: true,
          };
        }
        input = { ...input, runId };
      }
      const quick = immediate(input);
      if (quick) {
        const handle = await quick;
        if (deps.onCommandReply) {
          handle.done.then((result) => deps.onCommandReply!(input, result)).catch(() => {});
        }
        return handle;
      }
      const runId = input.runId ?? newRunId();
      const d = deferred(runId);
      const payload: AgentJobPayload = {
        agentId: input.agentId,
        text: input.text,
        ...(input.media?.length ? { media: input.media } : {}),
        source: { channel: input.source?.channel ?? "gateway", ...input.source },
        ...(input.principal ? { principal: input.principal } : {}),
      };
      const received = await deps.intake.receive({
        dedupeKey: input.dedupeKey ?? `${payload.source.channel}:${runId}`,
        sessionKey: input.sessionKey,
        agentId: input.agentId,
        runId,
        payload,
        summary: input.text.slice(0, 200),
        senderId: input.senderId,
        channel: payload.source.channel,
        accountId: payload.source.accountId,
        mode: input.mode,
        lane: input.lane,
      });
      if (received.duplicate) {
        pending.delete(runId);
        return {
          runId,
          sessionKey: input.sessionKey,
          done: Promise.resolve(duplicateResult(input, runId, now())),
          duplicate: true,
        };
      }
      const assigned = received.result?.runId ?? runId;
      sessionOfRun.set(assigned, input.sessionKey);
      if (received.result?.action === "dropped") {
        // The drop hook normally ended the run already (with the configured notice).
        if (!finished.has(assigned)) drop(assigned, input, "Dropped: the session's queue is full.");
        pending.delete(runId);
        return {
          runId: assigned,
          sessionKey: input.sessionKey,
          done: Promise.resolve(finished.get(assigned)!),
        };
      }
      if (input.signal) {
        input.signal.addEventListener("abort", () => {
          if (deps.scheduler.activeRun(input.sessionKey) === assigned) {
            deps.scheduler.abort(input.sessionKey, "client went away");
          }
        }, { once: true });
      }
      return { runId: assigned, sessionKey: input.sessionKey, done: d.promise };
    },
    settle(turn, result) {
      for (const m of turn.messages) resolve({ ...result, runId: m.runId });
    },
    fail(turn, end, notice) {
      const error = "error" in end ? end.error : { code: "INTERNAL", message: "failed" };
      const aborted = end.status === "interrupted" || error.code === "ABORTED";
      for (const m of turn.messages) {
        const payload = m.payload as AgentJobPayload;
        resolve({
          ...duplicateResult({ agentId: payload.agentId, sessionKey: turn.sessionKey }, m.runId, now()),
          status: aborted ? "aborted" : "error",
          text: notice,
          error,
        });
      }
    },
    abort(runId) {
      const key = sessionOfRun.get(runId);
      return key !== undefined && deps.scheduler.activeRun(key) === runId &&
        deps.scheduler.abort(key, "aborted");
    },
    abortSession(sessionKey) {
      const runId = deps.scheduler.activeRun(sessionKey);
      return runId && deps.scheduler.abort(sessionKey, "aborted") ? [runId] : [];
    },
    async wait(runId, timeoutMs) {
      const done = finished.get(runId);
      if (done) return done;
      const d = pending.get(runId);
      if (!d) return await (await deps.query()).wait(runId, 0);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<{ runId: string; status: "timeout" }>((r) => {
        timer = setTimeout(() => r({ runId, status: "timeout" }), timeoutMs);
      });
      try {
        return await Promise.race([d.promise, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    history: async (key, opts) => (await deps.query()).history(key, opts),
    listSessions: async (filter) => (await deps.query()).listSessions(filter),
    getSession: async (key) => (await deps.query()).getSession(key),
    resetSession(key, agentId) {
      deps.scheduler.abort(key, "session reset");
      return deps.query().then((q) => q.resetSession(key, agentId));
    },
    compact: async (key, agentId) => (await deps.query()).compact(key, agentId),
  };
}

function duplicateResult(
  input: Pick<RunInput, "agentId" | "sessionKey">,
  runId: string,
  at: number,
): RunResult {
  return {
    runId,
    agentId: input.agentId,
    sessionKey: input.sessionKey,
    sessionId: "",
    status: "ok",
    text: "",
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false },
    steps: 0,
    attempts: 0,
    startedAt: at,
    endedAt: at,
  };
}
