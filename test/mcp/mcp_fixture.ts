/** The MCP test server (test/fixtures/mcp_server.ts) as an mcp.servers entry. */
export const FIXTURE = new URL("../fixtures/mcp_server.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

let denoDir: string | undefined;
/** Deno's cache folder: a confined server must be able to read it (read-only) to load its packages. */
export function fixtureDenoDir(): string {
  if (!denoDir) {
    const out = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).outputSync();
    denoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  }
  return denoDir;
}

/**
 * A stdio server entry running the fixture with `deno run`, from the repo root, with what it needs to run
 * inside the OS confinement too (the repo and Deno's cache read-only, no fetching).
 */
export function stdioServer(extra: Record<string, unknown> = {}) {
  return {
    command: Deno.execPath(),
    args: ["run", "-A", "--quiet", "--frozen", "--cached-only", FIXTURE, "stdio"],
    cwd: ROOT,
    env: { DENO_DIR: fixtureDenoDir(), NO_COLOR: "1" },
    readable: [fixtureDenoDir()],
    ...extra,
  };
}
