import { parseArgs } from "node:util";
import type { Command } from "./io.ts";
import { EXIT } from "./io.ts";
import { connectLocalGateway, formatDuration, gatewayClientOptions } from "./shared.ts";
import { describeError } from "../core/errors.ts";

/** Builds `talon status` / `talon health`: call one method on the running gateway and print it. */
function gatewayQueryCommand(name: "status" | "health", summary: string): Command {
  return {
    name,
    summary,
    usage: `Usage: talon ${name} [--json] [--config <file>] [--url ws://host:port/ws] [--timeout <ms>]

Connects to the running gateway over its WebSocket protocol and prints its ${name}.
Exit codes: 0 ok, 69 gateway unreachable or unhealthy, 2 usage error.`,
    async run(argv, io) {
      const { values } = parseArgs({ args: argv, options: gatewayClientOptions, strict: true });
      let client;
      try {
        client = await connectLocalGateway(io, {
          config: values.config,
          url: values.url,
          timeoutMs: values.timeout ? Number(values.timeout) : undefined,
        });
      } catch (err) {
        io.err(`talon ${name}: cannot reach the gateway: ${describeError(err)}`);
        return EXIT.unavailable;
      }
      try {
        const payload = await client.request<Record<string, unknown>>(name, {});
        if (values.json) io.out(JSON.stringify(payload, null, 2));
        else io.out(render(name, payload));
        return name === "health" && payload.ok !== true ? EXIT.unavailable : EXIT.ok;
      } finally {
        await client.close();
      }
    },
  };
}

function render(name: string, p: Record<string, unknown>): string {
  if (name === "health") {
    return `${p.ok ? "healthy" : "UNHEALTHY"} · talon ${p.version} · up ${
      formatDuration(Number(p.uptimeMs))
    } · ` +
      `default agent ${p.defaultAgentId}`;
  }
  const gw = p.gateway as { bind: string; port: number; connections: number };
  const lines = [
    `talon ${p.version}, up ${formatDuration(Number(p.uptimeMs))} (since ${p.startedAt})`,
    `gateway   ${gw.bind}:${gw.port}, ${gw.connections} connection(s)`,
    `store     ${(p.store as { ready: boolean }).ready ? "ready" : "NOT READY"} (${
      (p.store as { url: string }).url
    })`,
    `agents    ${(p.agents as string[]).join(", ")} (default ${p.defaultAgentId})`,
  ];
  for (const [k, v] of Object.entries(p)) {
    if (!["version", "uptimeMs", "startedAt", "gateway", "store", "agents", "defaultAgentId"].includes(k)) {
      lines.push(`${k.padEnd(9)} ${JSON.stringify(v)}`);
    }
  }
  return lines.join("\n");
}

export const statusCommand = gatewayQueryCommand("status", "Show the running gateway's status");
export const healthCommand = gatewayQueryCommand("health", "Check the running gateway's health");
