import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import { superviseGateway } from "../app/gateway_supervisor.ts";
import { ConfigError } from "../core/errors.ts";
import { type Command, EXIT } from "./io.ts";
import { loadCliConfig } from "./shared.ts";
import { missingWorkerFlag, ownCommandLine, ownExecPath } from "./worker_flag_check.ts";
import { type LoadedConfig, parsePort, validateConfig } from "../config/load.ts";
import { displayPath } from "../config/paths.ts";
import type { Env } from "../config/load.ts";
import {
  describeBound,
  intersectBounds,
  parseAllowFlags,
  type PermissionBound,
} from "../tools/sandbox/outer_bound.ts";

export const gatewayCommand: Command = {
  name: "gateway",
  summary: "Run the gateway in the foreground",
  usage: `Usage: talon gateway [--config <file>] [--port <n>] [--bind <addr>] [--allow-<kind>[=<list>]…]

Runs the gateway (HTTP + WebSocket + Control UI) in the foreground until SIGINT/SIGTERM.
The admin method gateway.restart (Control UI "Apply and restart") restarts it inside this process
with talon.json loaded again.
Tool calls are bounded by Deno-style permission flags, as with "deno run": --allow-read=<paths>,
--allow-write=<paths>, --allow-net=<hosts>, --allow-run=<programs>, --allow-env=<names>; a bare
--allow-<kind> allows all of that kind, and once any is given, kinds not given are denied to tools.
They narrow sandbox.outerBound in the config (both apply). They bound tools only, not the gateway itself.
Defaults: 127.0.0.1:18790, state in ~/.talon (TALON_HOME). Env: TALON_PORT, TALON_BIND, TALON_TOKEN.
Exit codes: 0 clean stop, 78 invalid config, 1 other failure.`,
  async run(argv, io) {
    const flagProblem = missingWorkerFlag(ownExecPath(), await ownCommandLine());
    if (flagProblem) {
      io.err(`talon gateway: ${flagProblem}`);
      return EXIT.usage;
    }
    let flags;
    try {
      flags = parseAllowFlags(argv, Deno.cwd());
    } catch (err) {
      io.err(`talon gateway: ${(err as Error).message}`);
      return EXIT.usage;
    }
    const { values } = parseArgs({
      args: flags.rest,
      options: { config: { type: "string" }, port: { type: "string" }, bind: { type: "string" } },
      strict: true,
    });
    if (values.port !== undefined && parsePort(values.port) === undefined) {
      io.err(`talon gateway: --port: expected a port number 0-65535, got "${values.port}"`);
      return EXIT.usage;
    }
    if (values.bind !== undefined && !values.bind.trim()) {
      io.err(`talon gateway: --bind: expected an address such as 127.0.0.1`);
      return EXIT.usage;
    }
    const env = {
      ...io.env,
      ...(values.port !== undefined ? { TALON_PORT: values.port } : {}),
      ...(values.bind !== undefined ? { TALON_BIND: values.bind } : {}),
    };
    const load = async () =>
      withOuterBound(await loadCliConfig({ ...io, env }, values.config), flags.bound, env);
    let loaded;
    try {
      loaded = await load();
    } catch (err) {
      if (err instanceof ConfigError) {
        const hint = /^(Invalid|Cannot read) config/.test(err.message)
          ? ` Fix the file or run "${talonCommand()} config validate".`
          : "";
        io.err(`talon gateway: ${err.message}\nThe gateway did not start.${hint}`);
        return EXIT.config;
      }
      throw err;
    }
    // `gateway.restart` (Control UI "Apply and restart") restarts inside this process.
    const gw = await superviseGateway({
      loaded,
      load,
      env,
      print: io.out,
      onStart: (running, now, restarted) => {
        if (restarted) io.out("Gateway restarted with talon.json loaded again");
        if (now.config.sandbox.outerBound) {
          io.out(`Tools are bounded by: ${describeBound(now.config.sandbox.outerBound)}`);
        }
        io.out(`Talon gateway listening on ${running.url} (Control UI at ${running.url}/)`);
      },
    });
    const stop = (signal: string) => {
      io.out(`Received ${signal}; shutting down`);
      void gw.shutdown(`server shutting down (${signal})`);
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    Deno.addSignalListener("SIGTERM", onTerm);
    Deno.addSignalListener("SIGINT", onInt);
    try {
      await gw.finished;
    } finally {
      await gw.shutdown();
      Deno.removeSignalListener("SIGTERM", onTerm);
      Deno.removeSignalListener("SIGINT", onInt);
    }
    io.out("Gateway stopped");
    return EXIT.ok;
  },
};

/**
 * The loaded config with the command line's permission flags applied: the effective outer bound is what
 * both `sandbox.outerBound` and the flags allow. Written into the raw config too, so the shard workers
 * (which validate the raw config themselves) get the same bound.
 */
export function withOuterBound(
  loaded: LoadedConfig,
  flags: PermissionBound | undefined,
  env: Env,
): LoadedConfig {
  if (!flags) return loaded;
  const bound = intersectBounds(loaded.config.sandbox.outerBound, flags);
  const rawSandbox = (loaded.raw.sandbox ?? {}) as Record<string, unknown>;
  const raw = { ...loaded.raw, sandbox: { ...rawSandbox, outerBound: bound } };
  const config = validateConfig(raw, {
    env,
    file: displayPath(loaded.paths.configFile, env),
    fromFile: loaded.fromFile,
  });
  return { ...loaded, raw, config };
}
