/**
 * `talon mcp list|tools <id>|call <id> <tool> <json>`: the configured MCP servers, started here in this
 * process (not through the gateway) for debugging — the same connection, checks and caps agents get.
 */
import { parseArgs } from "node:util";
import { systemClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { loadCliConfig } from "./shared.ts";

const USAGE = `Usage: talon mcp <list|tools|call> [args] [--json]

  talon mcp list                       servers, whether each starts, tool counts, errors
  talon mcp tools <id>                 the tools of one server as the model sees them, and what was cut
  talon mcp call <id> <tool> '<json>'  call one tool with JSON arguments

Servers are configured in mcp.servers. This starts them in this process, outside the gateway.`;

export const mcpCommand: Command = {
  name: "mcp",
  summary: "List, inspect and call MCP tool servers",
  usage: USAGE,
  async run(argv, io: CliIo) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: "boolean", default: false }, config: { type: "string" } },
      allowPositionals: true,
    });
    const [sub, id, tool, json] = positionals;
    const { config, paths } = await loadCliConfig(io, values.config);
    const ids = Object.keys(config.mcp.servers);
    if (!ids.length) {
      io.err("talon mcp: no MCP servers are configured (mcp.servers in talon.json)");
      return EXIT.usage;
    }
    if ((sub === "tools" || sub === "call") && (!id || !ids.includes(id))) {
      io.err(`talon mcp ${sub}: unknown server ${id ?? "(none given)"}; configured: ${ids.join(", ")}`);
      return EXIT.usage;
    }
    let args: Record<string, unknown> = {};
    if (sub === "call") {
      try {
        args = JSON.parse(json ?? "{}");
        if (!args || typeof args !== "object" || Array.isArray(args)) throw new TypeError("not an object");
      } catch (err) {
        io.err(`talon mcp call: the arguments must be a JSON object: ${(err as Error).message}`);
        return EXIT.usage;
      }
      if (!tool) {
        io.err(`talon mcp call: which tool?\n\n${USAGE}`);
        return EXIT.usage;
      }
    }
    const { createMcpHub } = await import("../mcp/hub.ts");
    const hub = createMcpHub({
      config,
      clock: systemClock,
      logger: createLogger({ level: "error", sinks: [] }),
      mediaDir: paths.mediaDir,
    });
    try {
      const tools = await hub.tools();
      const status = hub.status();
      const out = (data: unknown, text: string) => io.out(values.json ? JSON.stringify(data, null, 2) : text);
      switch (sub) {
        case undefined:
        case "list":
          out(
            status,
            status.map((s) =>
              `${s.id.padEnd(16)} ${s.transport.padEnd(5)} ${s.state.padEnd(8)} ${s.tools} tools` +
              (s.confined === false ? " (unconfined)" : "") + (s.lastError ? `  — ${s.lastError}` : "")
            ).join("\n"),
          );
          return status.some((s) => s.state === "failed") ? EXIT.failure : EXIT.ok;
        case "tools": {
          const mine = tools.filter((t) => t.server === id);
          const notes = status.find((s) => s.id === id)?.notes ?? [];
          out(
            { tools: mine, notes },
            [
              ...mine.map((t) => `${t.name}  ${t.description}`),
              ...notes.map((n) => `note: ${n.tool}: ${n.note}`),
            ].join("\n") || "No tools.",
          );
          return EXIT.ok;
        }
        case "call": {
          const r = await hub.call(`mcp__${id}__${tool}`, args);
          out(r, r.content);
          return r.isError ? EXIT.failure : EXIT.ok;
        }
        default:
          io.err(`talon mcp: unknown subcommand "${sub}"\n\n${USAGE}`);
          return EXIT.usage;
      }
    } catch (err) {
      io.err(`talon mcp ${sub}: ${(err as Error).message}`);
      return EXIT.failure;
    } finally {
      await hub.stop();
    }
  },
};
