/** Helpers shared by CLI commands: config loading, gateway connection, output. */
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import type { GatewayClient } from "../gateway/client.ts";
import { connectTarget, gatewayTarget, reportConnectError } from "./gateway_connect.ts";
import { type CliIo, EXIT } from "./io.ts";
import { TalonError } from "../core/errors.ts";

/** Loads config honouring a `--config` flag value. */
export function loadCliConfig(io: CliIo, configFile?: string): Promise<LoadedConfig> {
  return loadConfig({ env: io.env, configFile });
}

/**
 * Connects to the running gateway of this config with the gateway token (--token, TALON_TOKEN, config,
 * token file). Throws GatewayConnectError (unreachable → 69, unauthorized → 77) naming the URL and the
 * token's source.
 */
export async function connectLocalGateway(
  io: CliIo,
  opts: { config?: string; url?: string; token?: string; timeoutMs?: number },
): Promise<GatewayClient> {
  const loaded = await loadCliConfig(io, opts.config);
  return await connectTarget(await gatewayTarget(io, loaded, opts), opts.timeoutMs ?? 10_000);
}

/** Options every gateway-talking command accepts. */
export const gatewayClientOptions = {
  config: { type: "string" },
  url: { type: "string" },
  json: { type: "boolean", default: false },
  timeout: { type: "string" },
} as const;

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Connects to the running gateway, runs `fn` with the client and closes it. Prints errors as
 * `talon <command>: …` and maps them to exit codes: cannot connect (or the connection dropped) → 69,
 * the token was refused → 77, the gateway refused the request → 1.
 */
export async function withGateway(
  io: CliIo,
  command: string,
  opts: { config?: string; url?: string; timeout?: string },
  fn: (client: GatewayClient) => Promise<number>,
): Promise<number> {
  let client: GatewayClient;
  try {
    client = await connectLocalGateway(io, {
      config: opts.config,
      url: opts.url,
      timeoutMs: opts.timeout ? Number(opts.timeout) : undefined,
    });
  } catch (err) {
    return reportConnectError(io, command, err);
  }
  try {
    return await fn(client);
  } catch (err) {
    if (!(err instanceof TalonError)) throw err;
    const hint = err.code === "METHOD_NOT_FOUND" ? " (is the gateway older than this CLI?)" : "";
    io.err(`talon ${command}: ${err.message}${hint}`);
    return err.code === "UNAVAILABLE" ? EXIT.unavailable : EXIT.failure;
  } finally {
    await client.close();
  }
}
