/**
 * How the CLI reaches the running gateway, and what it says when it cannot: nothing answers at the URL
 * (exit 69), or the gateway refused the token (exit 77) — each naming the URL and where the token came from.
 */
import { talonCommand } from "../core/cli_name.ts";
import { readTokenFile } from "../app/token.ts";
import { type LoadedConfig } from "../config/load.ts";
import { displayPath } from "../config/paths.ts";
import { describeError, TalonError } from "../core/errors.ts";
import { connectGateway, type GatewayClient, GatewayRequestError } from "../gateway/client.ts";
import { type CliIo, EXIT } from "./io.ts";

/** The URL and token the CLI uses, and where the token came from (for messages; never the token). */
export interface GatewayTarget {
  url: string;
  token?: string;
  tokenSource: string;
}

/** The CLI could not use the gateway: `unreachable` (exit 69) or `unauthorized` (exit 77). */
export class GatewayConnectError extends TalonError {
  override name = "GatewayConnectError";
  constructor(
    readonly kind: "unreachable" | "unauthorized",
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(kind === "unauthorized" ? "UNAUTHORIZED" : "UNAVAILABLE", message, options);
  }
  get exitCode(): number {
    return this.kind === "unauthorized" ? EXIT.unauthorized : EXIT.unavailable;
  }
}

/** Where `talon <cmd>` connects: --url or the config's bind/port; --token, TALON_TOKEN, config, token file. */
export async function gatewayTarget(
  io: CliIo,
  loaded: LoadedConfig,
  opts: { url?: string; token?: string },
): Promise<GatewayTarget> {
  const { gateway } = loaded.config;
  const host = gateway.bind === "0.0.0.0"
    ? "127.0.0.1"
    : gateway.bind.includes(":")
    ? `[${gateway.bind}]`
    : gateway.bind;
  const url = opts.url ?? `ws://${host}:${gateway.port}/ws`;
  if (opts.token) return { url, token: opts.token, tokenSource: "--token" };
  if (io.env.TALON_TOKEN) return { url, token: io.env.TALON_TOKEN, tokenSource: "TALON_TOKEN" };
  const file = displayPath(loaded.paths.tokenFile, io.env);
  if (gateway.auth.token) {
    return {
      url,
      token: gateway.auth.token,
      tokenSource: `gateway.auth.token in ${displayPath(loaded.paths.configFile, io.env)}`,
    };
  }
  const token = await readTokenFile(loaded.paths.tokenFile);
  return { url, token, tokenSource: token ? file : `no token (${file} does not exist)` };
}

const AUTH_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED"]);

/** Connects with the target; failures become GatewayConnectError with the URL and the token's source. */
export async function connectTarget(
  target: GatewayTarget,
  timeoutMs = 10_000,
): Promise<GatewayClient> {
  try {
    return await connectGateway({
      url: target.url,
      token: target.token,
      timeoutMs,
      client: { id: "talon-cli", mode: "cli" },
    });
  } catch (err) {
    throw classifyConnectError(err, target, timeoutMs);
  }
}

/** Unauthorized (the gateway answered and said no) versus unreachable (nothing usable answered). */
export function classifyConnectError(
  err: unknown,
  target: GatewayTarget,
  timeoutMs: number,
): GatewayConnectError {
  const closedBy = /^Connection closed \((\d+)(?:: (.*))?\)$/.exec(err instanceof Error ? err.message : "");
  const refused = (err instanceof GatewayRequestError && AUTH_CODES.has(err.code)) ||
    (closedBy?.[1] === "1008" && /unauthori|token|credential/i.test(closedBy[2] ?? ""));
  if (refused) {
    const why = err instanceof GatewayRequestError ? err.message : (closedBy?.[2] ?? "unauthorized");
    return new GatewayConnectError(
      "unauthorized",
      `the gateway at ${target.url} refused the token from ${target.tokenSource} (${why}). Use the token ` +
        "printed on the gateway's first start (kept in its credentials/gateway-token), or set TALON_TOKEN.",
      { cause: err },
    );
  }
  let why: string;
  if (closedBy) {
    why = closedBy[2] ? `the connection was closed (${closedBy[2]})` : "nothing is listening there";
  } else if (err instanceof TalonError && err.code === "TIMEOUT") {
    why = `no answer within ${timeoutMs} ms`;
  } else why = describeError(err);
  return new GatewayConnectError(
    "unreachable",
    `cannot reach the gateway at ${target.url}: ${why}. Is it running? Start it with "${talonCommand()} gateway" ` +
      `(or "${talonCommand()} service start"); --url or --config pick another gateway.`,
    { cause: err },
  );
}

/** Prints a connect failure as `talon <command>: …` and returns its exit code (config errors are rethrown). */
export function reportConnectError(io: CliIo, command: string, err: unknown): number {
  if (err instanceof GatewayConnectError) {
    io.err(`talon ${command}: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof TalonError && err.name === "ConfigError") throw err;
  io.err(`talon ${command}: cannot reach the gateway: ${describeError(err)}`);
  return EXIT.unavailable;
}
