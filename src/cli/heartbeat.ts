/** `talon heartbeat now|on|off|status`: the running gateway's heartbeat. */
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { gatewayClientOptions, withGateway } from "./shared.ts";

const USAGE = `Usage: talon heartbeat <now|on|off|status> [--agent <id>]

  talon heartbeat now       run a heartbeat turn now (even outside active hours)
  talon heartbeat on|off    turn the agent's heartbeat on or off (kept across restarts)
  talon heartbeat status    agents with a heartbeat, interval, on/off, next tick

Options: --json  --config <file>  --url ws://host:port/ws  --timeout <ms>
now/on/off need the owner's (admin) token. Exit codes: 0 ok, 1 refused, 2 usage error, 69 unreachable.`;

/** Runs `talon heartbeat …`. */
export async function runHeartbeat(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...gatewayClientOptions, agent: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, ...rest] = positionals;
  const usage = (msg: string) => {
    io.err(`talon heartbeat${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (!sub) return usage("expected a subcommand");
  if (!["now", "on", "off", "status"].includes(sub)) return usage(`unknown subcommand "${sub}"`);
  if (rest.length) return usage(`unexpected argument "${rest[0]}"`);
  if (values.agent !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(values.agent)) {
    return usage(`--agent "${values.agent}" is not an agent id`);
  }
  const agent = values.agent ? { agentId: values.agent } : {};
  return await withGateway(io, `heartbeat ${sub}`, values, async (client) => {
    if (sub === "now") {
      const r = await client.request<{ status: string; text: string }>("heartbeat.now", agent, {
        timeoutMs: 15 * 60_000,
      });
      io.out(values.json ? JSON.stringify(r, null, 2) : r.text);
      return r.status === "failed" ? EXIT.failure : EXIT.ok;
    }
    if (sub === "status") {
      const r = await client.request<
        { agents: { agentId: string; every: string; enabled: boolean; nextAt?: number }[] }
      >(
        "heartbeat.status",
        {},
      );
      io.out(
        values.json
          ? JSON.stringify(r, null, 2)
          : r.agents.map((a) =>
            `${a.agentId}: every ${a.every}, ${a.enabled ? "on" : "off"}` +
            (a.nextAt ? `, next ${new Date(a.nextAt).toISOString()}` : "")
          ).join("\n") || "No agent has a heartbeat (agents.defaults.heartbeat).",
      );
      return EXIT.ok;
    }
    const r = await client.request<{ agentId: string; enabled: boolean }>("heartbeat.set", {
      ...agent,
      enabled: sub === "on",
    });
    io.out(values.json ? JSON.stringify(r) : `Heartbeat ${r.enabled ? "on" : "off"} for agent ${r.agentId}.`);
    return EXIT.ok;
  });
}

export const heartbeatCommand: Command = {
  name: "heartbeat",
  summary: "Heartbeat: now, on, off, status",
  usage: USAGE,
  run: (argv, io) => runHeartbeat(argv, io),
};
