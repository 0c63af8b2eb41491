/** The MCP test server (test/fixtures/mcp_server.ts) as an mcp.servers entry. */
export const FIXTURE = new URL("../fixtures/mcp_server.ts", import.meta.url).pathname;

/** A stdio server entry running the fixture with `deno run`. */
export function stdioServer(extra: Record<string, unknown> = {}) {
  return { command: Deno.execPath(), args: ["run", "-A", "--quiet", FIXTURE, "stdio"], ...extra };
}
