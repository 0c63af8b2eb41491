/**
 * The tools an agent run gets inside a shard worker: the registry (policy, sandbox, audit) over the
 * built-in tools, with the worker's approvals, background processes, browser, outbox sender, session
 * access and cron repository. Things only the main thread can do (queueing a message into another
 * session's lane) go back to it as job events.
 */
import { type AgentRuntime, workspaceFor } from "../agent/mod.ts";
import { createMemoryService } from "../memory/service.ts";
import type { TalonPaths } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newRunId } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import { createCronJobRepo } from "../cron/job_repo.ts";
import { createCronScheduler } from "../cron/scheduler.ts";
import { capabilitiesOf } from "../security/capabilities.ts";
import type { Store } from "../store/mod.ts";
import { createSessionRepo } from "../store/sessions.ts";
import { createOutboxRepo } from "../store/outbox.ts";
import { createApprovalRepo } from "../tools/approval_repo.ts";
import { createApprovals } from "../tools/approvals.ts";
import { createBrowserManager } from "../tools/browser_manager.ts";
import { checkTarget, denoResolver } from "../tools/web_fetch.ts";
import { createBuiltinTools } from "../tools/builtin.ts";
import type { MessageSender, SessionMessage, SessionsApi } from "../tools/ports.ts";
import { createProcessTable } from "../tools/processes.ts";
import { type AnyTool, createToolRegistry, type ToolRegistry } from "../tools/registry.ts";
import { createSandbox } from "../tools/sandbox/sandbox.ts";
import { withLauncher } from "../tools/sandbox/outer_bound.ts";
import { createConfiner } from "../security/confine.ts";
import type { ToolContext } from "../tools/types.ts";
import { OUTBOX_KICK_EVENT, SESSION_SEND_EVENT, type SessionSendRequest } from "./agent_job.ts";

export interface WorkerToolsDeps {
  config: Readonly<Config>;
  env: Readonly<Record<string, string | undefined>>;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  paths: TalonPaths;
  /** The runtime these tools serve (created after them). */
  runtime: () => AgentRuntime;
  /** Sends a job event to the main thread on behalf of the run `runId`. */
  emit(runId: string, event: string, data: unknown): void;
  /** The shard worker these tools live in (the browser keeps one profile per shard). */
  shard?: number;
  /** Folders of the installed skills the read tool may read. */
  skillDirs?: (ctx: ToolContext) => Promise<readonly string[]>;
  /** The MCP servers' tools, when any are configured (src/mcp/mcp_tools.ts). */
  mcpTools?: () => readonly AnyTool[];
}

export function createWorkerTools(deps: WorkerToolsDeps): { executor: ToolRegistry; close(): Promise<void> } {
  const { config, store, bus, clock } = deps;
  const confiner = createConfiner({
    mode: config.tools.exec.confine,
    os: Deno.build.os,
    path: deps.env.PATH,
  });
  // exec checks its program against the configured bound; bwrap around it is the gateway's own doing.
  const bound = withLauncher(config.sandbox.outerBound, confiner.launcher());
  const sandbox = createSandbox({ mode: config.tools.sandbox, bound });
  const approvals = createApprovals({
    config: config.tools,
    repo: createApprovalRepo(store.db),
    bus,
    audit: store.audit,
    clock,
    programPath: deps.env.PATH,
  });
  const processes = createProcessTable({ bound });
  const browser = createBrowserManager({
    home: deps.paths.home,
    executablePath: config.tools.browser.executablePath,
    idleMs: config.tools.browser.idleMs,
    clock,
    shard: deps.shard,
    egress: (url) => checkTarget(url, config.tools, denoResolver),
  });
  const outbox = createOutboxRepo(store.db);
  let sent = 0;
  const sender: MessageSender = {
    async send(m) {
      const runId = m.runId ?? newRunId();
      const r = await outbox.enqueue({
        runId,
        // Above any reply chunk index, so a message tool send never collides with the run's reply.
        chunkIndex: 100_000 + sent++,
        target: { channel: m.channel, accountId: m.accountId ?? "default", to: m.to },
        payload: { text: m.text, ...(m.media?.length ? { media: m.media } : {}) },
      });
      if (m.runId) deps.emit(m.runId, OUTBOX_KICK_EVENT, {});
      return { id: String(r.id) };
    },
  };
  const sessionRepo = createSessionRepo(store.db);
  const spawnedBy = (settings: Record<string, unknown>) =>
    typeof settings.spawnedBy === "string" ? settings.spawnedBy : undefined;
  const sessions: SessionsApi = {
    async list({ agentId, limit }) {
      const list = await deps.runtime().listSessions({ agentId, limit });
      return list.map((s) => ({
        sessionKey: s.sessionKey,
        agentId: s.agentId,
        updatedAt: s.updatedAt,
        ...(spawnedBy(s.settings) ? { spawnedBy: spawnedBy(s.settings) } : {}),
      }));
    },
    async spawnedBy(sessionKey) {
      const s = await deps.runtime().getSession(sessionKey);
      return s ? spawnedBy(s.settings) : undefined;
    },
    async history(sessionKey, limit) {
      const { entries } = await deps.runtime().history(sessionKey, { limit });
      return entries.flatMap((e): SessionMessage[] => {
        if (e.kind === "user") return [{ role: "user", text: e.content.text, ts: e.ts }];
        if (e.kind === "assistant") return [{ role: "assistant", text: e.content.text, ts: e.ts }];
        if (e.kind === "tool_result") return [{ role: "tool", text: e.content.content, ts: e.ts }];
        return [];
      });
    },
    send(sessionKey, text, fromSessionKey, principal) {
      const runId = newRunId();
      const agentId = /^agent:([^:]+):/.exec(sessionKey)?.[1] ?? config.agents.defaultAgent;
      const parent = deps.runtime().activeRun(fromSessionKey);
      if (!parent) return Promise.reject(new Error("sessions_send is only available during a run"));
      const request: SessionSendRequest = {
        runId,
        agentId,
        sessionKey,
        text,
        fromSessionKey,
        principal: principal ?? { kind: "system" },
      };
      deps.emit(parent, SESSION_SEND_EVENT, request);
      return Promise.resolve({ runId });
    },
    async spawn(o) {
      // A sub-agent runs inside this turn, on this worker, in its own session, as the parent's principal.
      await sessionRepo.ensure(o.sessionKey, o.agentId);
      await sessionRepo.updateSettings(o.sessionKey, { spawnedBy: o.parentSessionKey });
      const handle = await deps.runtime().start({
        agentId: o.agentId,
        sessionKey: o.sessionKey,
        text: o.task,
        source: { channel: "subagent", parentSessionKey: o.parentSessionKey },
        principal: o.principal ?? { kind: "system" },
        signal: o.signal,
      });
      const result = await handle.done;
      return { reply: result.text, runId: result.runId };
    },
  };
  // Never started here: the tool only adds, lists and removes jobs; the main thread's scheduler runs them.
  const cron = createCronScheduler({
    repo: createCronJobRepo(store.db),
    runJob: () => Promise.resolve({ ok: false, summary: "cron jobs run on the main thread" }),
    config: config.cron,
    clock,
  });
  // Nothing of memory is opened until a run calls memory_search.
  const memory = config.memory.enabled
    ? createMemoryService({
      db: store.db,
      config: () => config,
      workspaceFor: (agentId) => workspaceFor(config, deps.paths, agentId),
      clock,
    })
    : undefined;
  const ownerRun = (ctx: ToolContext) => capabilitiesOf(ctx.principal ?? { kind: "system" }).ownerOnlyTools;
  const tools = createBuiltinTools({
    config,
    env: deps.env,
    sandbox,
    clock,
    approvals,
    processes,
    confiner,
    browser: { manager: browser, mediaDir: deps.paths.mediaDir },
    sender,
    sessions,
    cron: { scheduler: cron, isOwner: ownerRun },
    ...(memory ? { memory: { memory, isOwner: ownerRun } } : {}),
    skillDirs: deps.skillDirs,
  });
  const executor = createToolRegistry({
    config,
    tools,
    extraTools: deps.mcpTools,
    sandbox,
    audit: store.audit,
    logger: deps.logger,
  });
  return {
    executor,
    async close() {
      await processes.closeAll();
      await browser.closeAll();
    },
  };
}
