/**
 * Every configured MCP server, on the gateway's main thread: one connection per server shared by all shard
 * workers (they reach it over mcp_rpc.ts). Nothing is started until a tool list or call is needed.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { createServerConnection, type ServerConnection } from "./connection.ts";
import { toCallResult } from "./results.ts";
import type { TransportDeps } from "./transport.ts";
import { type McpCallResult, type McpServerStatus, type McpTool, splitQualified } from "./types.ts";

export interface McpHub {
  /** Tools of every enabled server that can be reached (others are reported in `status`). */
  tools(): Promise<McpTool[]>;
  /** Calls `mcp__<server>__<tool>`. Throws Error for an unknown server/tool or a failed call. */
  call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult>;
  status(): McpServerStatus[];
  stop(): Promise<void>;
}

export function createMcpHub(deps: {
  config: Readonly<Config>;
  clock: Clock;
  logger: Logger;
  mediaDir?: string;
  transport?: TransportDeps;
}): McpHub {
  const { mcp } = deps.config;
  const servers = new Map<string, ServerConnection>();
  for (const [id, server] of Object.entries(mcp.servers)) {
    servers.set(
      id,
      createServerConnection({
        id,
        server,
        limits: mcp,
        clock: deps.clock,
        logger: deps.logger,
        transport: deps.transport ?? {},
      }),
    );
  }
  const enabled = () => [...servers.entries()].filter(([id]) => mcp.servers[id]!.enabled);
  return {
    async tools() {
      const lists = await Promise.all(enabled().map(([, s]) => s.tools().catch(() => [] as McpTool[])));
      return lists.flat();
    },
    async call(name, args, signal) {
      const q = splitQualified(name);
      const server = q && servers.get(q.server);
      if (!q || !server) throw new Error(`there is no MCP server for ${name}`);
      const known = await server.tools();
      if (!known.some((t) => t.tool === q.tool)) {
        throw new Error(`MCP server ${q.server} offers no tool ${q.tool}`);
      }
      const raw = await server.call(q.tool, args, signal);
      return await toCallResult(raw, { maxBytes: mcp.maxResultBytes, mediaDir: deps.mediaDir, name });
    },
    status: () => [...servers.values()].map((s) => s.status()),
    async stop() {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    },
  };
}
