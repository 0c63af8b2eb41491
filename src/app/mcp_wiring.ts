/**
 * MCP on the gateway's main thread: the hub (only when servers are configured, so a gateway without MCP
 * loads none of it), its RPC channel for the shard workers, the `mcp.*` methods, and shutdown.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { MethodRegistry } from "../gateway/methods/registry.ts";
import type { AuditRepo } from "../store/audit.ts";
import { createMcpMethods } from "../mcp/mcp_methods.ts";
import type { McpHub } from "../mcp/hub.ts";

export interface McpRuntime {
  /** The BroadcastChannel name the shard workers use, or undefined when no server is configured. */
  channel?: string;
  hub?: McpHub;
  stop(): Promise<void>;
}

export async function startMcp(deps: {
  config: Readonly<Config>;
  clock: Clock;
  logger: Logger;
  mediaDir: string;
  registry: MethodRegistry;
  audit?: AuditRepo;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<McpRuntime> {
  if (!Object.keys(deps.config.mcp.servers).length) {
    for (const m of createMcpMethods({ audit: deps.audit })) deps.registry.add(m);
    return { stop: () => Promise.resolve() };
  }
  const [{ createMcpHub }, { serveMcpRpc }] = await Promise.all([
    import("../mcp/hub.ts"),
    import("../mcp/rpc.ts"),
  ]);
  const { createConfiner } = await import("../security/confine.ts");
  const hub = createMcpHub({
    config: deps.config,
    clock: deps.clock,
    logger: deps.logger.child({ component: "mcp" }),
    mediaDir: deps.mediaDir,
    // stdio servers run inside the same OS confinement as exec (tools.exec.confine).
    transport: {
      confiner: createConfiner({
        mode: deps.config.tools.exec.confine,
        os: Deno.build.os,
        path: deps.env.PATH,
      }),
      path: deps.env.PATH,
      home: deps.env.HOME,
    },
  });
  const channel = `talon-mcp-${crypto.randomUUID()}`;
  const stopRpc = serveMcpRpc(hub, channel);
  for (const m of createMcpMethods({ hub, audit: deps.audit })) deps.registry.add(m);
  return {
    channel,
    hub,
    async stop() {
      stopRpc();
      await hub.stop();
    },
  };
}
