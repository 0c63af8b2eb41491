/**
 * The job handler loaded in every shard worker: runs agent turns for the sessions of its shard.
 * Each worker opens its own connection to the store (libSQL file, WAL) and its own providers; run
 * events go back to the main thread through the lanes' `ctx.emit` and from there onto the bus.
 */
import type { AgentRuntime, RunResult } from "../agent/mod.ts";
import { validateConfig } from "../config/load.ts";
import { systemClock } from "../core/clock.ts";
import { createEventBus, wantsRunStreams } from "../core/event_bus.ts";
import { fileSink } from "../core/log_file.ts";
import { createLogger, type Logger, type LogSink } from "../core/logger.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Config } from "../config/schema.ts";
import type { Store } from "../store/mod.ts";
import type { AnyTool } from "../tools/registry.ts";
import type { JobContext, JobInput } from "../lanes/mod.ts";
import { openStore, withBufferedMilestones } from "../store/mod.ts";
import type { BufferedMilestoneRepo } from "../store/milestones.ts";
import { weakestPrincipal } from "../security/capabilities.ts";
import { createAgentEngine } from "./agent_engine.ts";
import { createWorkerTools } from "./agent_tools.ts";
import { createSkillCatalog } from "../skills/catalog.ts";
import { createSkillsPort } from "../skills/port.ts";
import { type AgentJobOptions, type AgentJobPayload, buildTurnText, turnMedia } from "./agent_job.ts";

let runtime: AgentRuntime | undefined;
let milestones: BufferedMilestoneRepo | undefined;
/** Worker bus events that belong on the main thread's bus (and so reach WebSocket clients). */
const FORWARDED_EVENTS = new Set(["agent", "chat", "approval.requested", "approval.resolved"]);
/** Of those, the runs' streams: sent only while a listener on the main thread wants them. */
const STREAM_EVENTS = new Set(["agent", "chat"]);
const contexts = new Map<string, JobContext>();

/** Opens the store and builds the agent runtime once per worker. */
export async function init(options: AgentJobOptions, shard: number): Promise<void> {
  const config = validateConfig(options.rawConfig, { env: options.env, file: options.paths.configFile });
  const sinks: LogSink[] = options.logFile
    ? [fileSink({ dir: options.paths.logsDir, maxBytes: Number.MAX_SAFE_INTEGER })]
    : [];
  const logger = createLogger({ level: config.logging.level, sinks }, { shard });
  // Batched milestone and run bookkeeping writes (usage, session counters, audit, transcript entries after a
  // run's first), flushed at the end of every job (so all of it is committed by the time the main thread has
  // the result).
  const store = withBufferedMilestones(
    await openStore({
      url: options.storeUrl,
      authToken: options.storeAuthToken,
      ...(options.storeWriteLock ? { writeLock: options.storeWriteLock } : {}),
    }),
    (err) => logger.error(`writing milestones or run bookkeeping failed: ${String(err)}`),
    undefined,
    { bookkeeping: true },
  );
  milestones = store.milestones;
  const bus = createEventBus((err) => logger.error(`event listener failed: ${String(err)}`));
  // A run's deltas and lifecycle cost a message to the main thread each turn of the event loop; with
  // no WebSocket client or streaming request listening there, nobody would read them.
  const streams = options.runStreamListeners;
  bus.subscribe((e) => {
    const ctx = e.runId ? contexts.get(e.runId) : undefined;
    if (!ctx || !FORWARDED_EVENTS.has(e.event)) return;
    if (STREAM_EVENTS.has(e.event) && !wantsRunStreams(streams)) return;
    ctx.emit(e.event, e.payload);
  });
  // Skills: read from disk on the first turn and whenever a skills folder changes.
  const skillCatalog = createSkillCatalog({
    config: () => config,
    home: options.paths.home,
    env: options.env,
  });
  const mcpTools = options.mcpChannel
    ? await startWorkerMcp(options.mcpChannel, { config, store, bus, logger })
    : undefined;
  const tools = createWorkerTools({
    config,
    env: options.env,
    store,
    bus,
    clock: systemClock,
    logger,
    paths: options.paths,
    shard,
    runtime: () => runtime!,
    emit: (runId, event, data) => contexts.get(runId)?.emit(event, data),
    mcpTools,
    skillDirs: async (ctx) => (await skillCatalog.get(ctx.workspace)).skills.map((s) => s.dir),
  });
  runtime = createAgentEngine({
    config,
    store,
    bus,
    clock: systemClock,
    logger,
    paths: options.paths,
    tools: tools.executor,
    concurrencyShare: options.shards,
    skills: createSkillsPort({ catalog: skillCatalog, config: () => config }),
  });
}

/** Runs one turn (one or more queued messages merged) and returns the RunResult. */
export async function handleJob(job: JobInput, ctx: JobContext): Promise<RunResult> {
  if (!runtime) throw new Error("agent job handler used before init");
  const rt = runtime;
  const first = job.messages[0]!.payload as AgentJobPayload;
  contexts.set(job.runId, ctx);
  const offSteer = ctx.steers.onSteer(() => {
    if (rt.activeRun(job.sessionKey) !== job.runId) return;
    for (const s of ctx.steers.take()) rt.injectSteer(job.runId, (s.payload as AgentJobPayload).text);
  });
  try {
    const handle = await rt.start({
      agentId: first.agentId,
      sessionKey: job.sessionKey,
      text: buildTurnText(job),
      media: turnMedia(job),
      runId: job.runId,
      source: first.source,
      principal: turnPrincipal(job),
      signal: ctx.signal,
    });
    return await handle.done;
  } finally {
    offSteer();
    contexts.delete(job.runId);
    await milestones?.flush().catch(() => {});
  }
}

/**
 * The principal of a turn: the least trusted of its merged messages; a message stored without one (from
 * before principals existed) makes the turn a `group` run, the least trusted kind.
 */
export function turnPrincipal(job: Pick<JobInput, "messages">) {
  const principals = job.messages.map((m) => (m.payload as AgentJobPayload).principal);
  return weakestPrincipal(principals) ?? { kind: "group" as const };
}

/** MCP tools in this worker: the main thread's hub over its channel, with approvals in this worker. */
async function startWorkerMcp(
  channel: string,
  deps: { config: Config; store: Store; bus: EventBus; logger: Logger },
): Promise<() => readonly AnyTool[]> {
  const [{ createMcpRpcClient }, { createMcpApprover }, { createMcpToolSource }, { createApprovalRepo }] =
    await Promise.all([
      import("../mcp/rpc.ts"),
      import("../mcp/approvals.ts"),
      import("../mcp/mcp_tools.ts"),
      import("../tools/approval_repo.ts"),
    ]);
  const source = createMcpToolSource({
    config: deps.config,
    client: createMcpRpcClient(channel),
    approver: createMcpApprover({
      config: deps.config.tools,
      repo: createApprovalRepo(deps.store.db),
      bus: deps.bus,
      clock: systemClock,
    }),
    clock: systemClock,
    logger: deps.logger,
  });
  await source.refresh();
  return () => source.tools();
}
