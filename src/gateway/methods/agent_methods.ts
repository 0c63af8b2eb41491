/**
 * Gateway methods over the agent runtime: `agent` (OpenClaw-shaped: accepted ack, then the final result
 * with the same request id), `agent.wait`, `chat.*` (web chat), `sessions.*` and `runs.timeline`.
 */
import { z } from "zod";
import type { AgentRuntime, RunResult } from "../../agent/mod.ts";
import type { Config } from "../../config/schema.ts";
import { TalonError } from "../../core/errors.ts";
import { newRunId } from "../../core/ids.ts";
import type { MilestoneRepo } from "../../store/milestones.ts";
import type { AuditRepo } from "../../store/audit.ts";
import { principalOfCredential } from "../../security/principal_of.ts";
import { attachmentSchema, saveChatAttachments } from "./chat_attachments.ts";
import type { MethodContext, MethodRegistry } from "./registry.ts";

/** What the methods need from whatever runs agents (the runtime itself, or the lanes in front of it). */
export type RunService = Pick<
  AgentRuntime,
  | "start"
  | "abort"
  | "abortSession"
  | "wait"
  | "history"
  | "listSessions"
  | "getSession"
  | "resetSession"
  | "compact"
>;

export interface AgentMethodDeps {
  config: () => Readonly<Config>;
  /** `<home>/media`: web chat attachments are saved under `webchat/`. */
  mediaDir: string;
  runs: RunService;
  milestones: MilestoneRepo;
  audit: AuditRepo;
  /** Remembers idempotency keys so a retried `agent` request does not start a second run. */
  idempotency?: Map<string, string>;
}

const sessionKeySchema = z.string().min(1).max(500);
const textSchema = z.string().min(1).max(100_000);

/** `agent:<agentId>:main`, the default session of an agent. */
export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

/** The agent a session key belongs to (`agent:<id>:…`), else the default agent. */
export function agentOfSessionKey(sessionKey: string, config: Readonly<Config>): string {
  const m = /^agent:([^:]+):/.exec(sessionKey);
  return m?.[1] ?? config.agents.defaultAgent;
}

/**
 * The agent and session a request addresses. A session key `agent:<id>:…` belongs to agent `<id>`: that
 * agent runs it, and a different `agentId` beside it is refused (INVALID_REQUEST) — it used to run the
 * other agent inside this session and record the session as that agent's. Otherwise the given agent,
 * else the default agent and its main session. Unknown agents are NOT_FOUND.
 */
export function resolveTarget(
  config: Readonly<Config>,
  p: { agentId?: string; sessionKey?: string },
): { agentId: string; sessionKey: string } {
  const owner = p.sessionKey ? /^agent:([^:]+):/.exec(p.sessionKey)?.[1] : undefined;
  if (owner && p.agentId && p.agentId !== owner) {
    throw new TalonError(
      "INVALID_REQUEST",
      `Session ${p.sessionKey} belongs to agent "${owner}", not "${p.agentId}"`,
    );
  }
  const agentId = owner ?? p.agentId ?? config.agents.defaultAgent;
  ensureAgent(config, agentId);
  return { agentId, sessionKey: p.sessionKey ?? mainSessionKey(agentId) };
}

function ensureAgent(config: Readonly<Config>, agentId: string): void {
  if (!config.agents.list.some((a) => a.id === agentId)) {
    throw new TalonError(
      "NOT_FOUND",
      `Unknown agent "${agentId}"; agents: ${config.agents.list.map((a) => a.id).join(", ")}`,
    );
  }
}

/** The principal of a run a gateway client starts: owner with an admin credential, else api. */
function clientPrincipal(ctx: MethodContext) {
  return principalOfCredential({ id: ctx.credentialId, scopes: ctx.scopes });
}

/** The OpenClaw-shaped final answer of an `agent` request. */
export function agentResultPayload(result: RunResult | { runId: string; status: string }) {
  if (!("text" in result)) return { runId: result.runId, status: result.status };
  return {
    runId: result.runId,
    status: result.status,
    sessionKey: result.sessionKey,
    agentId: result.agentId,
    result: { payloads: result.text ? [{ text: result.text }] : [] },
    ...(result.error ? { error: result.error } : {}),
    usage: result.usage,
    model: result.model,
  };
}

export function registerAgentMethods(registry: MethodRegistry, deps: AgentMethodDeps): void {
  const idempotency = deps.idempotency ?? new Map<string, string>();
  const remember = (key: string, runId: string) => {
    idempotency.set(key, runId);
    if (idempotency.size > 1000) idempotency.delete(idempotency.keys().next().value!);
  };

  registry.add({
    name: "agent",
    scope: "write",
    description: "Run the agent on a message: an accepted ack at once, then the final result (same id).",
    params: z.object({
      message: textSchema.optional(),
      text: textSchema.optional(),
      agentId: z.string().max(100).optional(),
      sessionKey: sessionKeySchema.optional(),
      idempotencyKey: z.string().max(200).optional(),
      timeout: z.number().min(0).optional(),
      deliver: z.boolean().optional(),
    }).passthrough().refine((p) => p.message ?? p.text, { message: "message is required" }),
    handler: async (p, ctx) => {
      const { agentId, sessionKey } = resolveTarget(deps.config(), p);
      const seen = p.idempotencyKey ? idempotency.get(p.idempotencyKey) : undefined;
      let runId: string;
      let done: Promise<unknown>;
      if (seen) {
        runId = seen;
        done = deps.runs.wait(seen, 24 * 3600_000);
      } else {
        const handle = await deps.runs.start({
          agentId,
          sessionKey,
          text: (p.message ?? p.text)!,
          source: { channel: "gateway", clientId: ctx.client.id },
          principal: clientPrincipal(ctx),
          signal: undefined,
        });
        runId = handle.runId;
        done = handle.done;
        if (p.idempotencyKey) remember(p.idempotencyKey, runId);
      }
      ctx.subscribe({ runIds: [runId] });
      ctx.ack({ runId, sessionKey, agentId, status: "accepted" });
      const timeoutMs = p.timeout ? p.timeout * 1000 : undefined;
      const result = timeoutMs ? await Promise.race([done, deps.runs.wait(runId, timeoutMs)]) : await done;
      return agentResultPayload(result as RunResult);
    },
  });

  registry.add({
    name: "agent.wait",
    scope: "read",
    description: "Wait for a run's result (status timeout when it does not end in time).",
    params: z.object({
      runId: z.string().min(1).max(200),
      timeoutMs: z.number().int().min(0).max(3_600_000).default(30_000),
    }),
    handler: async ({ runId, timeoutMs }) => agentResultPayload(await deps.runs.wait(runId, timeoutMs)),
  });

  registry.add({
    name: "chat.send",
    scope: "write",
    description: "Web chat: send a message to a session; the reply streams as chat/agent events.",
    params: z.object({
      text: z.string().max(100_000).default(""),
      sessionKey: sessionKeySchema.optional(),
      agentId: z.string().max(100).optional(),
      idempotencyKey: z.string().max(200).optional(),
      attachments: z.array(attachmentSchema).max(20).optional(),
    }).refine((p) => p.text.length > 0 || !!p.attachments?.length, {
      message: "text or attachments is required",
      path: ["text"],
    }),
    handler: async (p, ctx) => {
      const { agentId, sessionKey } = resolveTarget(deps.config(), p);
      const seen = p.idempotencyKey ? idempotency.get(p.idempotencyKey) : undefined;
      ctx.subscribe({ sessionKeys: [sessionKey] });
      if (seen) return { runId: seen, sessionKey, status: "accepted", duplicate: true };
      // Attachments are checked (and refused) before anything is recorded; anyone who may chat.send may attach.
      const media = await saveChatAttachments(p.attachments ?? [], {
        media: deps.config().media,
        mediaDir: deps.mediaDir,
      });
      // Like a channel message, a web chat message has an ingress and a routed step on its timeline.
      const runId = newRunId();
      await deps.milestones.add({
        runId,
        sessionKey,
        kind: "ingress",
        data: {
          channel: "webchat",
          clientId: ctx.client.id ?? null,
          chars: p.text.length,
          media: media.length,
        },
      });
      await deps.milestones.add({
        runId,
        sessionKey,
        kind: "routed",
        data: { agentId, sessionKey, matchedBy: p.sessionKey ? "session" : p.agentId ? "agent" : "default" },
      });
      const handle = await deps.runs.start({
        agentId,
        sessionKey,
        text: p.text,
        ...(media.length ? { media } : {}),
        runId,
        source: { channel: "webchat", clientId: ctx.client.id, connId: ctx.connId },
        principal: clientPrincipal(ctx),
      });
      if (p.idempotencyKey) remember(p.idempotencyKey, handle.runId);
      return { runId: handle.runId, sessionKey, status: "accepted" };
    },
  });

  registry.add({
    name: "chat.history",
    scope: "read",
    params: z.object({
      sessionKey: sessionKeySchema.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    handler: async (p, ctx) => {
      const sessionKey = p.sessionKey ?? mainSessionKey(deps.config().agents.defaultAgent);
      ctx.subscribe({ sessionKeys: [sessionKey] });
      const { session, entries } = await deps.runs.history(sessionKey, { limit: p.limit });
      return { sessionKey, session: session ?? null, entries };
    },
  });

  registry.add({
    name: "chat.abort",
    scope: "write",
    params: z.object({
      runId: z.string().max(200).optional(),
      sessionKey: sessionKeySchema.optional(),
      agentId: z.string().max(100).optional(),
    }).passthrough(),
    handler: ({ runId, sessionKey }) => {
      if (runId && deps.runs.abort(runId)) return { aborted: true, runIds: [runId] };
      if (sessionKey) {
        const runIds = deps.runs.abortSession(sessionKey);
        return { aborted: runIds.length > 0, runIds };
      }
      if (!runId) throw new TalonError("INVALID_REQUEST", "chat.abort needs a runId or a sessionKey");
      return { aborted: false, runIds: [] };
    },
  });

  registry.add({
    name: "sessions.list",
    scope: "read",
    params: z.object({
      agentId: z.string().max(100).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
      .passthrough(),
    handler: async (p) => {
      const sessions = await deps.runs.listSessions({ agentId: p.agentId, limit: p.limit ?? 200 });
      return { count: sessions.length, sessions: sessions.map((s) => ({ ...s, key: s.sessionKey })) };
    },
  });

  registry.add({
    name: "sessions.get",
    scope: "read",
    params: z.object({ sessionKey: sessionKeySchema }),
    handler: async ({ sessionKey }) => {
      const session = await deps.runs.getSession(sessionKey);
      if (!session) throw new TalonError("NOT_FOUND", `No session ${sessionKey}`);
      return { session };
    },
  });

  registry.add({
    name: "sessions.reset",
    scope: "write",
    params: z.object({ sessionKey: sessionKeySchema }),
    handler: async ({ sessionKey }) => {
      const session = await deps.runs.resetSession(sessionKey, agentOfSessionKey(sessionKey, deps.config()));
      await deps.audit.record({ kind: "session.reset", outcome: "ok", sessionKey });
      return { session };
    },
  });

  registry.add({
    name: "sessions.compact",
    scope: "write",
    params: z.object({ sessionKey: sessionKeySchema }),
    handler: async ({ sessionKey }) => ({
      message: await deps.runs.compact(sessionKey, agentOfSessionKey(sessionKey, deps.config())),
    }),
  });

  registry.add({
    name: "runs.timeline",
    scope: "read",
    description: "Every milestone of one message, ingress to egress, with the run's audit rows.",
    params: z.object({ runId: z.string().min(1).max(200) }),
    handler: async ({ runId }) => {
      const milestones = await deps.milestones.forRun(runId);
      const audit = await deps.audit.list({ runId, limit: 500 });
      if (milestones.length === 0 && audit.length === 0) throw new TalonError("NOT_FOUND", `No run ${runId}`);
      return { runId, milestones, audit: audit.reverse() };
    },
  });
}
