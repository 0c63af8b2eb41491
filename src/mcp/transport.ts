/**
 * The transport to one MCP server. stdio servers are child processes started with only the environment
 * they are given (plus the SDK's PATH/HOME/TERM-style basics — never the gateway's secrets), wrapped by the
 * OS confinement when one is available; HTTP servers go through the same address guard as web_fetch
 * (no loopback, private or metadata addresses) unless the server is marked `allowPrivate`.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../config/sections/mcp.ts";
import { blockedReason, parseIp } from "../tools/net_guard.ts";
import { denoResolver, type Resolver } from "../tools/web_fetch.ts";

/** Wraps a program's argv in the OS sandbox (bubblewrap): the workspace-less confinement of exec. */
export interface ChildConfiner {
  wrap(argv: readonly string[], o: { cwd?: string; env: Record<string, string> }): {
    argv: string[];
    confined: boolean;
  };
}

export interface TransportDeps {
  confiner?: ChildConfiner;
  /** Resolves a host name to addresses (default Deno.resolveDns A + AAAA). */
  resolve?: Resolver;
}

/** Refuses an HTTP server on a blocked address unless allowPrivate. Throws Error naming the reason. */
export async function guardServerUrl(
  url: string,
  allowPrivate: boolean,
  resolve: Resolver = denoResolver,
): Promise<void> {
  if (allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const addresses = parseIp(host) ? [host] : await resolve(host);
  if (!addresses.length) throw new Error(`cannot resolve ${host}`);
  for (const ip of addresses) {
    const why = blockedReason(ip);
    if (why) {
      throw new Error(
        `${host} resolves to ${ip} (${why}); set mcp.servers.<id>.allowPrivate to reach a server on this machine or network`,
      );
    }
  }
}

export async function createTransport(
  server: McpServerConfig,
  deps: TransportDeps,
): Promise<{ transport: Transport; confined: boolean }> {
  if ("url" in server) {
    await guardServerUrl(server.url, server.allowPrivate, deps.resolve);
    const { StreamableHTTPClientTransport } = await import(
      "@modelcontextprotocol/sdk/client/streamableHttp.js"
    );
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: server.headers, redirect: "error" },
    });
    return { transport, confined: false };
  }
  const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  const wrapped =
    deps.confiner?.wrap([server.command, ...server.args], { cwd: server.cwd, env: server.env }) ??
      { argv: [server.command, ...server.args], confined: false };
  const transport = new StdioClientTransport({
    command: wrapped.argv[0]!,
    args: wrapped.argv.slice(1),
    env: server.env,
    cwd: server.cwd,
    stderr: "pipe",
  });
  return { transport, confined: wrapped.confined };
}
