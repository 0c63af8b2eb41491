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
import type { Confiner } from "../security/confine.ts";
import { resolveProgram } from "../security/program_path.ts";

export interface TransportDeps {
  /** The OS confinement of child processes (the same as exec's, src/security/confine.ts). */
  confiner?: Confiner;
  /** The PATH a server's command is looked up on. */
  path?: string;
  /** The user's home, hidden (an empty folder) from confined servers. */
  home?: string;
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
  const cwd = server.cwd ?? "/";
  const program = resolveProgram(server.command, { path: deps.path, cwd });
  if (!program) throw new Error(`the program ${server.command} was not found (PATH or path)`);
  let command = program;
  let args = [...server.args];
  let confined = false;
  if (deps.confiner) {
    // Inside bwrap: system folders read-only, the server's cwd and `readable` paths read-only, `writable`
    // read-write, the home folder empty, no network unless `network`, its own PID namespace.
    const programDir = program.slice(0, program.lastIndexOf("/"));
    const plan = await deps.confiner.plan({
      argv: [program, ...server.args],
      cwd,
      env: server.env,
      writable: server.writable,
      readable: [...server.readable, ...(server.cwd ? [server.cwd] : []), programDir],
      empty: deps.home ? [deps.home] : [],
      network: server.network,
    });
    command = plan.program;
    args = plan.args;
    confined = plan.confined;
  }
  const transport = new StdioClientTransport({ command, args, env: server.env, cwd, stderr: "pipe" });
  return { transport, confined };
}
