/**
 * `talon doctor`: each MCP server — its program found (stdio) or its address allowed (HTTP) — and, with
 * --online, whether it starts and how many tools it offers.
 */
import { talonCommand } from "../core/cli_name.ts";
import type { CheckContext, DoctorResult } from "./doctor.ts";
import { createBinLookup } from "../skills/gating.ts";
import { guardServerUrl } from "../mcp/transport.ts";
import { systemClock } from "../core/clock.ts";
import { silentLogger } from "../core/logger.ts";

export async function checkMcp(ctx: CheckContext): Promise<DoctorResult[]> {
  const config = ctx.loaded?.config;
  if (!config) return [];
  const out: DoctorResult[] = [];
  const hasBin = createBinLookup(ctx.env.PATH);
  for (const [id, s] of Object.entries(config.mcp.servers)) {
    if (!s.enabled) {
      out.push({ id: `mcp.${id}`, status: "skip", what: `MCP server ${id} is disabled` });
      continue;
    }
    if ("url" in s) {
      try {
        await guardServerUrl(s.url, s.allowPrivate);
        out.push({
          id: `mcp.${id}`,
          status: "ok",
          what: `MCP server ${id}: ${new URL(s.url).host} is allowed`,
        });
      } catch (err) {
        out.push({
          id: `mcp.${id}`,
          status: "fail",
          what: `MCP server ${id}: ${(err as Error).message}`,
          fix:
            `Point mcp.servers.${id}.url at a public address, or set allowPrivate for a server you run yourself`,
        });
      }
      continue;
    }
    const found = s.command.includes("/")
      ? await Deno.stat(s.command).then((i) => i.isFile, () => false)
      : hasBin(s.command);
    out.push(
      found ? { id: `mcp.${id}`, status: "ok", what: `MCP server ${id}: ${s.command} found` } : {
        id: `mcp.${id}`,
        status: "fail",
        what: `MCP server ${id}: the program ${s.command} is not on PATH`,
        fix: `Install it or give its full path in mcp.servers.${id}.command`,
      },
    );
  }
  if (ctx.online && out.some((r) => r.status === "ok")) {
    const { createMcpHub } = await import("../mcp/hub.ts");
    const hub = createMcpHub({ config, clock: systemClock, logger: silentLogger });
    try {
      await hub.tools();
      for (const s of hub.status()) {
        if (s.state === "disabled") continue;
        out.push(
          s.state === "ready"
            ? { id: `mcp.${s.id}.online`, status: "ok", what: `MCP server ${s.id} started: ${s.tools} tools` }
            : {
              id: `mcp.${s.id}.online`,
              status: "fail",
              what: `MCP server ${s.id} did not start: ${s.lastError ?? s.state}`,
              fix: `Try it by hand: ${talonCommand()} mcp tools ${s.id}`,
            },
        );
      }
    } finally {
      await hub.stop();
    }
  }
  return out;
}
