/**
 * Gateway methods for MCP servers: `mcp.list` and `mcp.tools` (scope read: server states, tool names and
 * what was cut), `mcp.call` (scope admin: a debugging call outside any run, audited; agents' calls go
 * through the tool policy and approvals instead).
 */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { McpHub } from "./hub.ts";

const toolsParams = z.strictObject({ server: z.string().min(1).max(32) });
const callParams = z.strictObject({
  server: z.string().min(1).max(32),
  tool: z.string().min(1).max(128),
  arguments: z.record(z.string(), z.unknown()).default({}),
});

export function createMcpMethods(deps: { hub?: McpHub; audit?: AuditRepo }): MethodDef<unknown>[] {
  const hub = () => {
    if (!deps.hub) throw new TalonError("NOT_FOUND", "No MCP servers are configured (mcp.servers)");
    return deps.hub;
  };
  const list: MethodDef<Record<string, never>> = {
    name: "mcp.list",
    scope: "read",
    params: z.strictObject({}).prefault({}) as unknown as z.ZodType<Record<string, never>>,
    description: "Configured MCP servers: transport, state, tool count, last error, restarts, cut tools.",
    handler: () => ({ servers: deps.hub?.status() ?? [] }),
  };
  const tools: MethodDef<z.infer<typeof toolsParams>> = {
    name: "mcp.tools",
    scope: "read",
    params: toolsParams,
    description: "The tools of one MCP server as offered to the model (starts it when needed).",
    async handler(p) {
      const status = hub().status().find((s) => s.id === p.server);
      if (!status) throw new TalonError("NOT_FOUND", `No MCP server ${p.server}`);
      const all = await hub().tools();
      return {
        tools: all.filter((t) => t.server === p.server),
        notes: hub().status().find((s) => s.id === p.server)?.notes ?? [],
      };
    },
  };
  const call: MethodDef<z.infer<typeof callParams>> = {
    name: "mcp.call",
    scope: "admin",
    params: callParams,
    description: "Calls one MCP tool directly (admin, for debugging; audited).",
    async handler(p, ctx) {
      const name = `mcp__${p.server}__${p.tool}`;
      try {
        const r = await hub().call(name, p.arguments, ctx.signal);
        await deps.audit?.record({
          kind: "mcp.call",
          outcome: "ok",
          actor: ctx.credentialId,
          detail: { name },
        });
        return r;
      } catch (err) {
        await deps.audit?.record({
          kind: "mcp.call",
          outcome: "error",
          actor: ctx.credentialId,
          detail: { name },
        });
        if (err instanceof TalonError) throw err;
        throw new TalonError("UNAVAILABLE", (err as Error).message);
      }
    },
  };
  return [list, tools, call] as MethodDef<unknown>[];
}
