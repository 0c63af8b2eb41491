import { parseArgs } from "node:util";
import { startGateway } from "../app/gateway_runtime.ts";
import { ConfigError } from "../core/errors.ts";
import { type Command, EXIT } from "./io.ts";
import { loadCliConfig } from "./shared.ts";

export const gatewayCommand: Command = {
  name: "gateway",
  summary: "Run the gateway in the foreground",
  usage: `Usage: talon gateway [--config <file>] [--port <n>] [--bind <addr>]

Runs the gateway (HTTP + WebSocket + Control UI) in the foreground until SIGINT/SIGTERM.
Defaults: 127.0.0.1:18790, state in ~/.talon (TALON_HOME). Env: TALON_PORT, TALON_BIND, TALON_TOKEN.
Exit codes: 0 clean stop, 78 invalid config, 1 other failure.`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: "string" }, port: { type: "string" }, bind: { type: "string" } },
      strict: true,
    });
    const env = {
      ...io.env,
      ...(values.port !== undefined ? { TALON_PORT: values.port } : {}),
      ...(values.bind !== undefined ? { TALON_BIND: values.bind } : {}),
    };
    let loaded;
    try {
      loaded = await loadCliConfig({ ...io, env }, values.config);
    } catch (err) {
      if (err instanceof ConfigError) {
        io.err(
          `talon gateway: ${err.message}\nThe gateway did not start. Fix the file or run "talon config validate".`,
        );
        return EXIT.config;
      }
      throw err;
    }
    const gw = await startGateway({ loaded, env, print: io.out });
    io.out(`Talon gateway listening on ${gw.url} (Control UI at ${gw.url}/)`);
    const stop = (signal: string) => {
      io.out(`Received ${signal}; shutting down`);
      void gw.shutdown(`server shutting down (${signal})`);
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    Deno.addSignalListener("SIGTERM", onTerm);
    Deno.addSignalListener("SIGINT", onInt);
    await gw.finished;
    await gw.shutdown();
    Deno.removeSignalListener("SIGTERM", onTerm);
    Deno.removeSignalListener("SIGINT", onInt);
    io.out("Gateway stopped");
    return EXIT.ok;
  },
};
