import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import type { Command } from "./io.ts";
import { EXIT } from "./io.ts";
import { connectLocalGateway, formatDuration, gatewayClientOptions } from "./shared.ts";
import { reportConnectError } from "./gateway_connect.ts";
import type { ModelStatus } from "../agent/model_chain.ts";

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
        return reportConnectError(io, `${name}`, err);
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
    ...modelLines(p.models as ModelStatus | undefined),
  ];
  for (const [k, v] of Object.entries(p)) {
    if (
      !["version", "uptimeMs", "startedAt", "gateway", "store", "agents", "defaultAgentId", "models"]
        .includes(k)
    ) {
      lines.push(`${k.padEnd(9)} ${JSON.stringify(v)}`);
    }
  }
  return lines.join("\n");
}

/** The default model and each provider's state, or how to set one up. */
function modelLines(m: ModelStatus | undefined): string[] {
  if (!m) return [];
  const model = m.defaultModel
    ? `${m.defaultModel}${
      m.defaultModel.startsWith("echo/") ? " (echo dev provider: repeats messages)" : ""
    }` +
      (m.fallbacks.length ? `; fallbacks ${m.fallbacks.join(", ")}` : "")
    : `NONE — agents answer with setup help; run "${talonCommand()} onboard" or set TALON_MODEL (echo/echo to try)`;
  const providers = m.providers.length
    ? m.providers.map((p) => `${p.id} (${p.api}, key ${p.key}${p.used ? "" : ", unused"})`).join("; ")
    : "none configured";
  const lines = [`model     ${model}`, `providers ${providers}`];
  if (m.unknownProviders.length) {
    lines.push(`WARNING   no provider configured for ${m.unknownProviders.join(", ")}`);
  }
  return lines;
}

export const statusCommand = gatewayQueryCommand("status", "Show the running gateway's status");
export const healthCommand = gatewayQueryCommand("health", "Check the running gateway's health");
