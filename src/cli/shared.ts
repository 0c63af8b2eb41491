/** Helpers shared by CLI commands: config loading, gateway connection, output. */
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import { readTokenFile } from "../app/token.ts";
import { connectGateway, type GatewayClient } from "../gateway/client.ts";
import { type CliIo, EXIT } from "./io.ts";
import { describeError, TalonError } from "../core/errors.ts";

/** Loads config honouring a `--config` flag value. */
export function loadCliConfig(io: CliIo, configFile?: string): Promise<LoadedConfig> {
  return loadConfig({ env: io.env, configFile });
}

/** Connects to the running gateway of this config with the gateway token (TALON_TOKEN, config, token file). */
export async function connectLocalGateway(
  io: CliIo,
  opts: { config?: string; url?: string; token?: string; timeoutMs?: number },
): Promise<GatewayClient> {
  const loaded = await loadCliConfig(io, opts.config);
  const { gateway } = loaded.config;
  const host = gateway.bind === "0.0.0.0"
    ? "127.0.0.1"
    : gateway.bind.includes(":")
    ? `[${gateway.bind}]`
    : gateway.bind;
  const url = opts.url ?? `ws://${host}:${gateway.port}/ws`;
  const token = opts.token ?? gateway.auth.token ?? await readTokenFile(loaded.paths.tokenFile);
  return await connectGateway({
    url,
    token,
    timeoutMs: opts.timeoutMs ?? 10_000,
    client: { id: "talon-cli", mode: "cli" },
  });
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
 * the gateway refused the request → 1.
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
    if (err instanceof TalonError && err.name === "ConfigError") throw err;
    io.err(`talon ${command}: cannot reach the gateway: ${describeError(err)}`);
    return EXIT.unavailable;
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
