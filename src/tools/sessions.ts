/**
 * Session tools: `sessions_list`, `sessions_history`, `sessions_send`, `sessions_spawn`. What a run may
 * reach follows its principal (src/security/capabilities.ts): the owner any session of its agent; every
 * other principal only its own session and the sub-agent sessions it spawned.
 */
import { z } from "zod";
import { mayReachSession } from "../security/capabilities.ts";
import type { ToolContext } from "./types.ts";
import { defineTool } from "./registry.ts";
import { ToolError } from "./errors.ts";
import type { SessionsApi } from "./ports.ts";
import { describeError } from "../core/errors.ts";

/** Creates the four session tools over a SessionsApi. */
export function createSessionTools(deps: { sessions: SessionsApi; agentIds?: () => string[] }) {
  const list = defineTool({
    name: "sessions_list",
    description: "List recent sessions of this agent.",
    group: "sessions",
    input: z.strictObject({ limit: z.number().int().min(1).max(100).default(20) }),
    async run(i, ctx) {
      const principal = ctx.principal ?? { kind: "system" as const };
      const all = await deps.sessions.list({ agentId: ctx.agentId, limit: 1000 });
      const rows = all.filter((s) => mayReachSession(principal, s, ctx.sessionKey)).slice(0, i.limit);
      const lines = rows.map((s) =>
        `${s.sessionKey}  ${new Date(s.updatedAt).toISOString()}${s.title ? `  ${s.title}` : ""}`
      );
      return { content: lines.join("\n") || "No sessions.", data: rows };
    },
  });
  const ownSession = async (key: string, ctx: ToolContext) => {
    if (!key.startsWith(`agent:${ctx.agentId}:`)) {
      throw new ToolError("Denied", `session ${key} belongs to another agent`);
    }
    const principal = ctx.principal ?? { kind: "system" as const };
    const target = { sessionKey: key, spawnedBy: await deps.sessions.spawnedBy(key) };
    if (!mayReachSession(principal, target, ctx.sessionKey)) {
      throw new ToolError(
        "Denied",
        `session ${key} is not this conversation's: only the owner may reach other sessions`,
      );
    }
  };
  const history = defineTool({
    name: "sessions_history",
    description: "Read the last messages of a session of this agent.",
    group: "sessions",
    input: z.strictObject({
      sessionKey: z.string().min(1),
      limit: z.number().int().min(1).max(200).default(20),
    }),
    async run(i, ctx) {
      await ownSession(i.sessionKey, ctx);
      const msgs = await deps.sessions.history(i.sessionKey, i.limit);
      return { content: msgs.map((m) => `${m.role}: ${m.text}`).join("\n") || "(empty)", data: msgs };
    },
  });
  const send = defineTool({
    name: "sessions_send",
    description: "Send a message into another session of this agent (it runs there).",
    group: "sessions",
    input: z.strictObject({ sessionKey: z.string().min(1), text: z.string().min(1) }),
    async run(i, ctx) {
      if (i.sessionKey === ctx.sessionKey) {
        throw new ToolError("InvalidInput", "cannot send to the current session");
      }
      await ownSession(i.sessionKey, ctx);
      const r = await deps.sessions.send(i.sessionKey, i.text, ctx.sessionKey, ctx.principal);
      return { content: `Sent to ${i.sessionKey} (run ${r.runId})`, data: r };
    },
  });
  const spawn = defineTool({
    name: "sessions_spawn",
    description: "Run a sub-agent on a task in a fresh session and return its answer.",
    group: "sessions",
    input: z.strictObject({
      task: z.string().min(1).describe("What the sub-agent should do; it sees only this text."),
      agentId: z.string().optional().describe("Agent to run (default: this agent)."),
    }),
    async run(i, ctx) {
      const agentId = i.agentId ?? ctx.agentId;
      if (deps.agentIds && !deps.agentIds().includes(agentId)) {
        throw new ToolError("NotFound", `no agent ${agentId}`);
      }
      if (ctx.sessionKey.includes(":subagent:")) {
        throw new ToolError("Denied", "a sub-agent cannot spawn further sub-agents");
      }
      const sessionKey = `agent:${agentId}:subagent:${crypto.randomUUID()}`;
      try {
        const r = await deps.sessions.spawn({
          agentId,
          sessionKey,
          task: i.task,
          parentSessionKey: ctx.sessionKey,
          signal: ctx.signal,
          principal: ctx.principal,
        });
        return {
          content: `Sub-agent ${sessionKey} reported:\n${r.reply}`,
          data: { sessionKey, runId: r.runId },
        };
      } catch (err) {
        throw new ToolError("Failed", `sub-agent ${sessionKey} failed: ${describeError(err)}`);
      }
    },
  });
  return [list, history, send, spawn];
}
