/**
 * The agent runtime's public face.
 *
 * Wiring (one composition file does this):
 * ```ts
 * const store = await openStore({ url });
 * const runtime = createAgentRuntime({
 *   config,                      // Readonly<Config> or () => current config
 *   store: agentStoreFrom(store),
 *   models: router,              // the providers' router (satisfies ModelStreamer)
 *   tools: executor,             // ToolExecutor (createStaticToolExecutor([createCurrentTimeTool({clock})]) for now)
 *   bus, clock, logger,
 *   paths,                       // TalonPaths (uses workspaceDir)
 * });
 * const { runId, done } = await runtime.start({ agentId, sessionKey, text, source: { channel: "webchat" } });
 * ```
 * Events: bus event `"agent"` with payload AgentEvent `{runId, seq, stream, ts, data}` and bus event
 * `"chat"` with payload ChatEvent `{runId, sessionKey, seq, state, message}`; both carry `sessionKey`.
 * - lifecycle data.phase: `start` | `attempt` | `compaction` | `notice` | `end` (end has status, usage, error)
 * - assistant data: `{delta, text}` (text = this step so far) or `{thinking}`
 * - tool data: `{phase: "start", toolCallId, name, args}` and `{phase: "end", toolCallId, name, outcome, ms, isError, result}`
 *
 * Gateway mapping: `agent` → start() and answer `{runId, status: "accepted"}`; `agent.wait` → wait();
 * `chat.send` → start() with `source.channel = "webchat"`; `chat.history` → history(); `chat.abort` →
 * abort(runId) or abortSession(key); `sessions.list/get/reset` → listSessions/getSession/resetSession.
 * Lanes: `injectSteer(runId, text)` for queue mode steer; `parseCommand` + `isImmediateCommand` tell
 * which inputs must bypass the queue (e.g. /stop).
 */
import type { Store } from "../store/mod.ts";
import { createSessionRepo, createUsageRepo } from "../store/sessions.ts";
import { createTranscriptRepo } from "../store/transcripts.ts";
import { createAuditRepo } from "../store/audit.ts";
import type { AgentStore } from "./run_exec.ts";

export { type AgentRuntime, type AgentRuntimeDeps, createAgentRuntime, type WaitResult } from "./run.ts";
export { type AgentStore, maxStepsNotice } from "./run_exec.ts";
export { runWorkspace, scratchDirFor, workspaceFor } from "./run_workspace.ts";
export type * from "./types.ts";
export { HELP_TEXT, isImmediateCommand, parseCommand } from "./commands.ts";
export { createStaticToolExecutor } from "./static_tools.ts";
export { buildSystemPrompt, ensureWorkspace, measureRequestBytes, readWorkspaceFiles } from "./prompt.ts";
export { INTERRUPTED_RESULT, repairMessages } from "./transcript_repair.ts";
export { SKIPPED_FOR_STEER } from "./run_step.ts";
export { estimateTokens } from "./compaction.ts";
export { modelStatus, noProviderMessage } from "./model_chain.ts";
export type { ModelStatus } from "./model_chain.ts";

/**
 * The agent repositories over an open store. With `store.bookkeeping` (shard workers) a run's usage row,
 * session counters, audit row and transcript entries after its first go through that queue.
 */
export function agentStoreFrom(store: Store, now?: () => number): AgentStore {
  const queue = store.bookkeeping;
  return {
    sessions: createSessionRepo(store.db, now, queue),
    transcripts: createTranscriptRepo(store.db, now, queue),
    usage: createUsageRepo(store.db, now, queue),
    milestones: store.milestones,
    audit: queue ? createAuditRepo(store.db, now, queue) : store.audit,
  };
}
