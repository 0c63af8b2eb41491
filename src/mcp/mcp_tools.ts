/**
 * MCP tools inside a shard worker: the hub's tool list (fetched over mcp_rpc, refreshed in the background
 * at most every `refreshMs`) as registry tools `mcp__<server>__<tool>` in group `mcp`. Each call goes
 * through the registry (policy by principal, audit row, run timeline), then the MCP approval, then the hub.
 */
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { type AnyTool, defineTool } from "../tools/registry.ts";
import { ToolError } from "../tools/errors.ts";
import type { McpApprover } from "./approvals.ts";
import type { McpRpcClient } from "./rpc.ts";
import { checkArguments } from "./tool_schema.ts";
import type { McpTool } from "./types.ts";

export interface McpToolSource {
  /** The current MCP tools (possibly from the last refresh); starts a refresh when the list is old. */
  tools(): readonly AnyTool[];
  /** Fetches the list now (the worker waits for it once at start). */
  refresh(): Promise<void>;
}

const anyObject = z.record(z.string(), z.unknown());

export function createMcpToolSource(deps: {
  config: Readonly<Config>;
  client: McpRpcClient;
  approver: McpApprover;
  clock: Clock;
  logger: Logger;
  refreshMs?: number;
}): McpToolSource {
  const refreshMs = deps.refreshMs ?? 10_000;
  let list: AnyTool[] = [];
  let fetchedAt = -Infinity;
  let inflight: Promise<void> | undefined;

  const toTool = (t: McpTool): AnyTool =>
    defineTool({
      name: t.name,
      description: `[MCP ${t.server}] ${t.description}`,
      group: "mcp",
      input: anyObject,
      parameters: t.inputSchema,
      async run(args, ctx) {
        const problem = checkArguments(t.inputSchema, args);
        if (problem) throw new ToolError("InvalidInput", `${t.name}: ${problem}`);
        await deps.approver.authorize({
          runId: ctx.runId,
          sessionKey: ctx.sessionKey,
          name: t.name,
          server: t.server,
          tool: t.tool,
          args,
          signal: ctx.signal,
        });
        const timeoutMs = (deps.config.mcp.servers[t.server]?.timeoutMs ?? 30_000) + 5_000;
        let r;
        try {
          r = await deps.client.call(t.name, args, timeoutMs, ctx.signal);
        } catch (err) {
          throw new ToolError("Failed", `${t.name} failed: ${(err as Error).message}`);
        }
        return {
          content: r.content,
          ...(r.isError ? { isError: true } : {}),
          ...(r.images.length ? { images: r.images } : {}),
          data: { server: t.server, tool: t.tool, images: r.images },
        };
      },
    });

  const refresh = (): Promise<void> =>
    inflight ??= deps.client.tools(60_000).then((tools) => {
      list = tools.map(toTool);
      fetchedAt = deps.clock.now();
    }).catch((err) => {
      deps.logger.warn(`MCP tool list unavailable: ${(err as Error).message}`);
      fetchedAt = deps.clock.now();
    }).finally(() => (inflight = undefined));

  return {
    tools() {
      if (deps.clock.now() - fetchedAt >= refreshMs) void refresh();
      return list;
    },
    refresh,
  };
}
