/**
 * Wires the agent side of the gateway: shard workers running agent turns behind the lanes (durable
 * inbox → scheduler → workers), the outbox dispatcher, the channel adapters, and the gateway methods
 * and HTTP routes on top. Part of the composition root (with gateway_runtime.ts).
 */
import type { Hono } from "hono";
import type { AgentRuntime, RunResult } from "../agent/mod.ts";
import { userErrorTextForCode } from "../agent/user_notice.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { APPROVE_REFUSED, capabilitiesOf, describePrincipal, mayApprove } from "../security/capabilities.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import { createChannelMethods } from "../channels/channel_methods.ts";
import { createLinkMethods } from "../channels/link_methods.ts";
import { createSkillCatalog } from "../skills/catalog.ts";
import { startMcp } from "./mcp_wiring.ts";
import { createSkillsMethods } from "../skills/skills_methods.ts";
import { workspaceFor } from "../agent/run_workspace.ts";
import { createPairingMethods } from "../channels/pairing_methods.ts";
import type { Authenticator } from "../gateway/auth.ts";
import { createHooksApp } from "../gateway/hooks_http.ts";
import type { GatewayEnv } from "../gateway/http_security.ts";
import type { GatewayMetrics } from "../gateway/metrics.ts";
import { registerAgentMethods } from "../gateway/methods/agent_methods.ts";
import { registerMessageMethods } from "../gateway/methods/message_methods.ts";
import { registerTokenMethods } from "../gateway/methods/token_methods.ts";
import { registerUiExtraMethods } from "../gateway/methods/ui_extra_methods.ts";
import { registerUiAgentMethods } from "../gateway/methods/ui_agents_methods.ts";
import { registerRunsMethods } from "../gateway/methods/runs_methods.ts";
import { registerSessionArchiveMethods } from "../gateway/methods/session_archive_methods.ts";
import type { MethodDef, MethodRegistry } from "../gateway/methods/registry.ts";
import { createOpenAiCompatApp } from "../gateway/openai_compat.ts";
import type { FailureLimiter } from "../gateway/rate_limit.ts";
import {
  channelQueueMode,
  createIntake,
  createLanesStatusMethod,
  createOutboxDispatcher,
  createOutboxMethods,
  createScheduler,
  createShardPool,
  dropNotice,
  lanesMetrics,
  schedulerSettings,
  type Turn,
  type TurnEnd,
} from "../lanes/mod.ts";
import { createInboxRepo } from "../store/inbox.ts";
import type { Milestone, MilestoneRepo } from "../store/milestones.ts";
import { fileUrl, type Store } from "../store/mod.ts";
import { createOutboxRepo } from "../store/outbox.ts";
import { createPairingRepo } from "../store/pairing.ts";
import { createSessionRepo } from "../store/sessions.ts";
import { approvalMethods } from "../tools/approval_methods.ts";
import { createGatewayHeartbeat } from "./heartbeat_wiring.ts";
import { createHeartbeatMethods, heartbeatCommand } from "../cron/heartbeat_methods.ts";
import { approvalPatternMethods } from "../tools/approval_pattern_methods.ts";
import { createEffectiveToolsMethod } from "../tools/effective_tools.ts";
import { createToolCatalog } from "./tool_catalog.ts";
import { createApprovalRepo } from "../tools/approval_repo.ts";
import { createApprovals } from "../tools/approvals.ts";
import {
  type AgentJobOptions,
  type AgentJobPayload,
  OUTBOX_KICK_EVENT,
  SESSION_SEND_EVENT,
  type SessionSendRequest,
} from "./agent_job.ts";
import { createChannels } from "./channels.ts";
import { channelSender, queueReply, type ReplyTo, turnReplyTo } from "./egress.ts";
import { loadImportFiles } from "./import_loader.ts";
import { createLaneRuns } from "./lane_runs.ts";
import { createGatewayCron } from "./cron_wiring.ts";
import { registerGatewayMemory } from "./memory_wiring.ts";

export interface ServicesDeps {
  loaded: LoadedConfig;
  env: Readonly<Record<string, string | undefined>>;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  registry: MethodRegistry;
  metrics: GatewayMetrics;
  auth: Authenticator;
  limiter: FailureLimiter;
  logFile: boolean;
}

export interface Services {
  /** Mounts /v1, /hooks and channel webhooks on the gateway app. */
  mount(app: Hono<GatewayEnv>): void;
  /** Recovers what a crash left behind, then starts the outbox and the channels. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Record<string, unknown>;
}

/** Lanes record run.start/run.end as `lane.start`/`lane.end` beside the agent's richer run milestones. */
function laneMilestones(repo: MilestoneRepo): MilestoneRepo {
  return {
    add: (m: Omit<Milestone, "id" | "ts"> & { ts?: number }) =>
      repo.add({
        ...m,
        kind: m.kind === "run.start" ? "lane.start" : m.kind === "run.end" ? "lane.end" : m.kind,
      }),
    forRun: (runId) => repo.forRun(runId),
  };
}

function failureNotice(end: TurnEnd): string {
  if (end.status === "interrupted") return "Stopped.";
  if (end.status === "timeout") return userErrorTextForCode("TIMEOUT");
  // Details (worker errors, provider ids) go to the log and the timeline, never to the chat.
  return userErrorTextForCode("error" in end ? end.error.code : "INTERNAL");
}

export async function createServices(deps: ServicesDeps): Promise<Services> {
  const { store, bus, clock, logger, registry } = deps;
  const { paths } = deps.loaded;
  const config = (): Readonly<Config> => deps.loaded.config;
  const inbox = createInboxRepo(store.db, undefined, store.writeBehind);
  const outbox = createOutboxRepo(store.db);
  const pairing = createPairingRepo(store.db);
  let queryEngine: Promise<AgentRuntime> | undefined;
  const query = () =>
    queryEngine ??= import("./agent_engine.ts").then((m) =>
      m.createAgentEngine({ config: config(), store, bus, clock, logger, paths })
    );

  const shards = config().agents.shards ?? navigator.hardwareConcurrency;
  const mcp = await startMcp({
    config: config(),
    clock,
    logger,
    mediaDir: paths.mediaDir,
    registry,
    audit: store.audit,
    env: deps.env,
  });
  const handlerOptions: AgentJobOptions = {
    rawConfig: deps.loaded.raw,
    env: Object.fromEntries(
      Object.entries(deps.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    paths,
    storeUrl: config().store.url ?? fileUrl(paths.dbFile),
    storeAuthToken: config().store.authToken,
    ...(deps.store.db.writeLock ? { storeWriteLock: deps.store.db.writeLock } : {}),
    runStreamListeners: bus.streamListeners,
    logFile: deps.logFile,
    shards,
    ...(mcp.channel ? { mcpChannel: mcp.channel } : {}),
  };
  const pool = createShardPool({
    handlerUrl: new URL("./agent_job_worker.ts", import.meta.url),
    handlerOptions,
    shards,
    jobTimeoutMs: config().agents.defaults.runTimeoutMs + 5_000,
    lazy: true,
    clock,
    logger,
  });

  // Called only once turns finish, after everything below exists.
  const deliverTo = async (to: ReplyTo, result: Pick<RunResult, "text">) => {
    const queued = await queueReply(
      { channels: channels.registry, outbox, milestones: store.milestones },
      to,
      result,
    );
    if (queued > 0) dispatcher.kick();
  };
  const deliver = (turn: Turn, result: RunResult) => deliverTo(turnReplyTo(turn), result);

  const scheduler = createScheduler({
    pool,
    settings: schedulerSettings(config().agents),
    channelMode: channelQueueMode(config()),
    inbox,
    milestones: laneMilestones(store.milestones),
    bus,
    clock,
    logger,
    hooks: {
      onEvent: (_turn, event, data) => {
        if (event === OUTBOX_KICK_EVENT) return dispatcher.kick();
        if (event !== SESSION_SEND_EVENT) return;
        const req = data as SessionSendRequest;
        runs.start({
          agentId: req.agentId,
          sessionKey: req.sessionKey,
          text: req.text,
          runId: req.runId,
          source: { channel: "session", fromSessionKey: req.fromSessionKey },
          principal: req.principal,
        }).catch((err) => logger.error(`sessions_send failed: ${String(err)}`, { runId: req.runId }));
      },
      onResult: async (turn, result) => {
        const r = result as RunResult;
        runs.settle(turn, r);
        await deliver(turn, r);
      },
      onDropped: (items, sessionKey, cause) => {
        const notice = dropNotice(config().agents.defaults.queueDropNotice, cause);
        for (const item of items) {
          const payload = item.payload as AgentJobPayload;
          const text = notice ??
            (cause.kind === "interrupt" ? "This message was answered together with a newer one." : "");
          runs.drop(item.runId, { agentId: payload.agentId, sessionKey }, text);
          if (!notice) continue;
          deliverTo({ runId: item.runId, sessionKey, source: payload.source }, { text: notice })
            .catch((err) => logger.error(`drop notice failed: ${String(err)}`, { runId: item.runId }));
        }
      },
      onFailed: async (turn, end) => {
        const notice = failureNotice(end);
        const failed: RunResult = {
          runId: turn.runId,
          agentId: "",
          sessionKey: turn.sessionKey,
          sessionId: "",
          status: "error",
          text: notice,
          usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false },
          steps: 0,
          attempts: 0,
          startedAt: turn.startedAt,
          endedAt: clock.now(),
        };
        runs.fail(turn, end, notice);
        if (end.status !== "interrupted") await deliver(turn, failed);
      },
    },
  });
  const intake = createIntake({ inbox, scheduler, logger });
  const sessionRepo = createSessionRepo(store.db);
  const runs = createLaneRuns({
    intake,
    scheduler,
    query,
    persistMode: async (sessionKey, agentId, mode) => {
      await sessionRepo.ensure(sessionKey, agentId);
      await sessionRepo.updateSettings(sessionKey, { queueMode: mode ?? null });
    },
    approve: async (id, decision, input) => {
      if (!mayApprove(input.principal)) return APPROVE_REFUSED;
      if (decision !== "allow-once" && decision !== "allow-always" && decision !== "deny") {
        return `Unknown decision "${decision}": use allow-once, allow-always or deny.`;
      }
      try {
        const record = await approvals.resolve(id, decision, describePrincipal(input.principal));
        return record ? `Approval ${id}: ${decision}.` : `No pending approval ${id}.`;
      } catch (err) {
        return (err as Error).message.replace(/^\w+: /, "");
      }
    },
    heartbeat: async (arg, input) => {
      if (!capabilitiesOf(input.principal ?? { kind: "group" }).ownerOnlyTools) {
        return "Only the owner can control the heartbeat.";
      }
      return await heartbeatCommand(heartbeat, input.agentId, arg);
    },
    onCommandReply: (input, result) =>
      deliverTo({
        runId: result.runId,
        sessionKey: input.sessionKey,
        source: { channel: input.source?.channel ?? "gateway", ...input.source },
      }, result),
  });
  const channels = await createChannels({
    config,
    paths,
    runs,
    milestones: store.milestones,
    pairing,
    kv: store.kv,
    bus,
    clock,
    logger,
  });
  const dispatcher = createOutboxDispatcher({
    outbox,
    senders: (channel) => channelSender(channels.registry, channel),
    clock,
    logger,
    bus,
  });
  // The dispatcher announces each sent or dead-lettered chunk on the bus; keep it as a milestone.
  bus.subscribe((e) => {
    if ((e.event === "egress" || e.event === "outbox.dead") && e.runId) {
      store.milestones.add({
        runId: e.runId,
        sessionKey: e.sessionKey,
        kind: "egress",
        data: { ...(e.payload as Record<string, unknown>), state: e.event === "egress" ? "sent" : "dead" },
      }).catch((err) => logger.error(`egress milestone failed: ${String(err)}`));
    }
  }, { runStreams: false });

  registerAgentMethods(registry, {
    config,
    runs,
    milestones: store.milestones,
    audit: store.audit,
    mediaDir: paths.mediaDir,
  });
  // Approvals asked for by tools in the workers are answered here; the store carries the decision back.
  const approvals = createApprovals({
    config: config().tools,
    repo: createApprovalRepo(store.db),
    bus,
    audit: store.audit,
    clock,
  });
  for (const m of approvalMethods(approvals)) registry.add(m as MethodDef<unknown>);
  const { cron, jobs: cronJobs } = createGatewayCron({ config, store, runs, registry, clock, logger });
  const patternDeps = {
    repo: createApprovalRepo(store.db),
    config: () => config().tools,
    audit: store.audit,
  };
  for (const m of approvalPatternMethods(patternDeps)) registry.add(m);
  registry.add(createEffectiveToolsMethod({
    config,
    catalog: createToolCatalog({ config, env: deps.env, store, bus, clock, logger, paths }),
    mcpServers: () => Object.keys(config().mcp.servers),
  }) as MethodDef<unknown>);
  registry.add(createLanesStatusMethod(scheduler));
  for (const m of createOutboxMethods({ outbox, kick: () => dispatcher.kick() })) registry.add(m);
  for (const m of createChannelMethods({ channels: channels.registry })) registry.add(m);
  for (const m of createLinkMethods({ channels: channels.registry })) registry.add(m);
  const skillCatalog = createSkillCatalog({ config, home: paths.home, env: deps.env });
  const workspaceOf = (agentId: string) => workspaceFor(config(), paths, agentId);
  for (const m of createSkillsMethods({ catalog: skillCatalog, config, workspaceOf })) registry.add(m);
  for (const m of createPairingMethods({ pairing })) registry.add(m);
  registerMessageMethods(registry, {
    outbox,
    channels: channels.registry,
    kick: () => dispatcher.kick(),
    audit: store.audit,
  });
  registerTokenMethods(registry, { reload: () => deps.auth.reload(), credentials: store.credentials });
  const heartbeat = createGatewayHeartbeat({
    config,
    store,
    sessions: sessionRepo,
    paths,
    clock,
    logger,
    runs: () => runs,
    activeRun: (key) => scheduler.activeRun(key),
    deliverTo,
  });
  for (
    const m of createHeartbeatMethods({
      heartbeat,
      agentIds: () => config().agents.list.map((a) => a.id),
      defaultAgent: () => config().agents.defaultAgent,
    })
  ) registry.add(m);
  registerGatewayMemory({ config, store, paths, registry, clock });
  registerUiExtraMethods(registry, {
    db: store.db,
    audit: store.audit,
    activeRun: (key) => scheduler.activeRun(key),
    now: () => clock.now(),
  });
  registerUiAgentMethods(registry, { config, paths, audit: store.audit });
  registerRunsMethods(registry, { db: store.db, now: () => clock.now() });
  registerSessionArchiveMethods(registry, { db: store.db });
  deps.metrics.addSource(() => lanesMetrics(scheduler.status()));

  return {
    mount(app) {
      app.route("/v1", createOpenAiCompatApp({ config, auth: deps.auth, runs, bus }));
      app.route("/hooks", createHooksApp({ config, runs, limiter: deps.limiter, audit: store.audit }));
      for (const adapter of channels.registry.list()) {
        const webhook = (adapter as { webhook?: Hono }).webhook;
        if (adapter.channel === "telegram" && webhook) app.route(`/telegram/${adapter.accountId}`, webhook);
        if (adapter.channel === "whatsapp" && webhook) app.route(`/whatsapp/${adapter.accountId}`, webhook);
      }
    },
    async start() {
      // Per-session queue modes (`/queue`) before any message is queued again.
      for (const [key, mode] of await sessionRepo.queueModes()) scheduler.setSessionMode(key, mode);
      const recovered = await intake.recover({
        onGiveUp: async (item) => {
          const stored = item.payload as { payload?: unknown };
          const turn = {
            runId: item.runId,
            sessionKey: item.sessionKey,
            messages: [{
              id: String(item.id),
              runId: item.runId,
              payload: stored.payload,
              summary: "",
              receivedAt: item.createdAt,
            }],
          } as unknown as Turn;
          await deliver(turn, {
            runId: item.runId,
            agentId: item.agentId,
            sessionKey: item.sessionKey,
            sessionId: "",
            status: "error",
            text:
              "Sorry — Talon restarted several times while answering this message, so it gave up. Please send it again.",
            usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, requestBytes: 0, estimated: false },
            steps: 0,
            attempts: 0,
            startedAt: item.createdAt,
            endedAt: clock.now(),
          });
        },
      });
      if (recovered.requeued || recovered.gaveUp) logger.info("inbox recovered", recovered);
      await loadImportFiles({
        dir: `${paths.home}/import`,
        pairing,
        cron: cronJobs,
        defaultAgent: config().agents.defaultAgent,
        now: clock.now(),
        logger,
      });
      // Approval requests of runs from before a restart have nobody waiting for them any more.
      const approvalRepo = createApprovalRepo(store.db);
      for (const stale of await approvalRepo.list({ status: "pending", limit: 1000 })) {
        await approvalRepo.transition(stale.id, "pending", "expired", "restart");
      }
      if (config().cron.enabled) await cron.start();
      heartbeat.start();
      await channels.registry.startAll();
      const sent = await dispatcher.start();
      if (sent.requeued || sent.dead) logger.info("outbox recovered", sent);
    },
    async stop() {
      heartbeat.stop();
      await cron.stop();
      await channels.registry.stopAll();
      await scheduler.close();
      await dispatcher.stop();
      if (queryEngine) await (await queryEngine).close();
      await mcp.stop();
    },
    status: () => ({ lanes: scheduler.status().sessions, channels: channels.registry.status() }),
  };
}
