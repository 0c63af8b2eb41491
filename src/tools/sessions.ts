/** Session tools: `sessions_list`, `sessions_history`, `sessions_send`, `sessions_spawn`. */
import { z } from "zod";
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
      const rows = await deps.sessions.list({ agentId: ctx.agentId, limit: i.limit });
      const lines = rows.map((s) =>
        `${s.sessionKey}  ${new Date(s.updatedAt).toISOString()}${s.title ? `  ${s.title}` : ""}`
      );
      return { content: lines.join("\n") || "No sessions.", data: rows };
    },
  });
  const ownSession = (key: string, agentId: string) => {
    if (!key.startsWith(`agent:${agentId}:`)) {
      throw new ToolError("Denied", `session ${key} belongs to another agent`);
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
      ownSession(i.sessionKey, ctx.agentId);
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
      ownSession(i.sessionKey, ctx.agentId);
      if (i.sessionKey === ctx.sessionKey) {
        throw new ToolError("InvalidInput", "cannot send to the current session");
      }
      const r = await deps.sessions.send(i.sessionKey, i.text, ctx.sessionKey);
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
