/**
 * One MCP server: connected on first use, its tool list taken once per connection, calls with a timeout,
 * and — when the process dies or the connection drops — restarted on the next use after a backoff
 * (1 s, 2 s, 4 s … 60 s), never in a tight loop.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpConfig, McpServerConfig } from "../config/sections/mcp.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { z } from "zod";
import { checkToolList, type RawTool } from "./tool_schema.ts";

const TOOL_LIST = z.looseObject({ tools: z.array(z.unknown()) });
import { createTransport, type TransportDeps } from "./transport.ts";
import type { McpServerState, McpServerStatus, McpTool, McpToolNote } from "./types.ts";

export interface ServerConnection {
  status(): McpServerStatus;
  /** The server's tools (connecting first when needed). Throws when it cannot be reached. */
  tools(): Promise<McpTool[]>;
  /** Calls one tool; throws on timeout, abort or a broken connection. */
  call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Backoff before restart number `n` (1-based): 1 s doubling to 60 s. */
export function restartDelayMs(n: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, n - 1));
}

export function createServerConnection(o: {
  id: string;
  server: McpServerConfig;
  limits: Pick<McpConfig, "maxSchemaBytes" | "maxDescriptionChars">;
  clock: Clock;
  logger: Logger;
  transport: TransportDeps;
}): ServerConnection {
  let state: McpServerState = o.server.enabled ? "idle" : "disabled";
  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;
  let tools: McpTool[] | undefined;
  let notes: McpToolNote[] = [];
  let lastError: string | undefined;
  let restarts = 0;
  let retryAt: number | undefined;
  let confined: boolean | undefined;
  let generation = 0;

  const fail = (gen: number, why: string) => {
    if (gen !== generation || state === "stopped") return;
    generation++;
    state = "failed";
    lastError = why;
    restarts++;
    retryAt = o.clock.now() + restartDelayMs(restarts);
    tools = undefined;
    const c = client;
    client = undefined;
    void c?.close().catch(() => {});
    o.logger.warn(`MCP server ${o.id} failed: ${why}; restart allowed after ${restartDelayMs(restarts)} ms`);
  };

  const connect = async (): Promise<Client> => {
    if (state === "disabled") throw new Error(`MCP server ${o.id} is disabled (mcp.servers.${o.id}.enabled)`);
    if (state === "stopped") throw new Error(`MCP server ${o.id} is stopped`);
    if (client) return client;
    if (retryAt !== undefined && o.clock.now() < retryAt) {
      throw new Error(
        `MCP server ${o.id} is down (${lastError}); it restarts in ${
          Math.ceil((retryAt - o.clock.now()) / 1000)
        } s`,
      );
    }
    state = "starting";
    const gen = generation;
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const c = new Client({ name: "talon", version: "1" }, { capabilities: {} });
    try {
      const t = await createTransport(o.server, o.transport);
      confined = t.confined;
      t.transport.onclose = () => fail(gen, "the connection closed");
      // Starting a server (a runtime booting, a package loading) gets at least 30 s whatever timeoutMs says.
      const startTimeout = Math.max(o.server.timeoutMs, 30_000);
      await c.connect(t.transport, { timeout: startTimeout });
      c.onerror = (err: Error) => o.logger.debug(`MCP server ${o.id}: ${String(err)}`);
      // Raw tools/list: the SDK's own parse rejects the whole list for one bad tool; we check each ourselves.
      const listed = await c.request({ method: "tools/list", params: {} }, TOOL_LIST, {
        timeout: startTimeout,
      });
      const checked = checkToolList(o.id, listed.tools as RawTool[], o.limits, o.server.tools);
      tools = checked.tools;
      notes = checked.notes;
      client = c;
      state = "ready";
      retryAt = undefined;
      lastError = undefined;
      return c;
    } catch (err) {
      void c.close().catch(() => {});
      fail(gen, (err as Error).message);
      throw new Error(`MCP server ${o.id} could not be started: ${(err as Error).message}`);
    }
  };

  const ensure = () => connecting ??= connect().finally(() => (connecting = undefined));

  return {
    status: () => ({
      id: o.id,
      transport: "url" in o.server ? "http" : "stdio",
      state,
      tools: tools?.length ?? 0,
      ...(confined !== undefined ? { confined } : {}),
      ...(lastError ? { lastError } : {}),
      restarts,
      ...(retryAt !== undefined ? { retryAt } : {}),
      notes,
    }),
    async tools() {
      await ensure();
      return tools ?? [];
    },
    async call(tool, args, signal) {
      const c = await ensure();
      const gen = generation;
      try {
        return await c.callTool({ name: tool, arguments: args }, undefined, {
          timeout: o.server.timeoutMs,
          signal,
        }) as Record<string, unknown>;
      } catch (err) {
        const msg = (err as Error).message;
        // A timeout or abort leaves the server running; a dead transport is restarted later.
        if (!/timed out|abort/i.test(msg)) fail(gen, msg);
        if (/timed out/i.test(msg)) throw new Error(`${tool} did not answer within ${o.server.timeoutMs} ms`);
        throw err;
      }
    },
    async stop() {
      state = "stopped";
      generation++;
      const c = client;
      client = undefined;
      await c?.close().catch(() => {});
    },
  };
}
