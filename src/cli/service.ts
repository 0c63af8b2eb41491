/** `talon service install [--user|--system] [--print] | status | stop | restart | uninstall | logs` */
import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import { isThrowAwayPath } from "./invocation.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { resolveHome } from "../config/paths.ts";
import { resolveProgram } from "../security/program_path.ts";
import { type CommandRunner, realRunner } from "../ops/command_runner.ts";
import {
  createServiceManager,
  gatewayExecStart,
  renderUnit,
  type ServiceScope,
  UNIT_NAME,
  unitPath,
} from "../ops/systemd.ts";

const USAGE = `Usage: talon service <action> [--user|--system]

Actions:
  install [--print] [--memory-max 1G]   write the systemd unit, then daemon-reload, enable and start it
          [--deno <path>] [--run-as <user>]   (--print only prints the unit; --deno: the deno to run from
                                        source; --run-as: the account of a --system unit, default SUDO_USER)
  status | stop | restart               systemctl <action> talon.service
  uninstall                             stop, disable and remove the unit
  logs [-n 200]                         journalctl -u talon.service

--user (default) installs into ~/.config/systemd/user; --system into /etc/systemd/system (as root, via
sudo: the unit runs as the invoking user; as root without sudo, --run-as is required).
Secrets for the service (TALON_TOKEN, provider keys) go in <TALON_HOME>/talon.env (KEY=value lines, 0600).`;

export interface ServiceCommandDeps {
  runner: CommandRunner;
  /** Path of the running Talon executable; default Deno.execPath(), read when installing. */
  execPath?: string;
  /** URL or path of main.ts (used when running from source). */
  mainModule: string;
}

/** Builds the command with its dependencies; tests pass a fake runner. */
export function createServiceCommand(deps: ServiceCommandDeps): Command {
  return {
    name: "service",
    summary: "Install and control the systemd service (install|status|stop|restart|uninstall|logs)",
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        options: {
          user: { type: "boolean", default: false },
          system: { type: "boolean", default: false },
          print: { type: "boolean", default: false },
          "memory-max": { type: "string", default: "1G" },
          deno: { type: "string" },
          "run-as": { type: "string" },
          n: { type: "string", short: "n", default: "200" },
        },
        allowPositionals: true,
        strict: true,
      });
      const action = positionals[0];
      if (positionals.length !== 1 || !action) return usage(io, "expected one action");
      if (values.user && values.system) return usage(io, "choose --user or --system, not both");
      const scope: ServiceScope = values.system ? "system" : "user";
      if (!/^\d+(\.\d+)?[KMGT]?$|^infinity$/.test(values["memory-max"])) {
        return usage(io, "--memory-max like 512M or 1G");
      }
      const unitFile = unitPath(scope, io.env);
      const manager = createServiceManager({ runner: deps.runner, scope, unitFile });
      const show = (r: { code: number; stdout: string; stderr: string }) => {
        if (r.stdout.trim()) io.out(r.stdout.trimEnd());
        if (r.stderr.trim()) io.err(r.stderr.trimEnd());
        return r.code === 0 ? EXIT.ok : EXIT.failure;
      };
      switch (action) {
        case "install": {
          const home = resolveHome(io.env);
          const execPath = values.deno ?? deps.execPath ?? Deno.execPath();
          if (isThrowAwayPath(execPath)) {
            io.err(
              `talon service install: Deno runs from npx's temporary cache (${execPath}), which npm may delete ` +
                "at any time; a unit pointing there would stop working. Install Deno at a stable path " +
                "(npm install -g deno@2.9.6, or https://deno.land/install.sh) and run again with " +
                "--deno <path to deno>, e.g. --deno $(npm prefix -g)/bin/deno.",
            );
            return EXIT.failure;
          }
          const execStart = gatewayExecStart({ execPath, mainModule: deps.mainModule, home });
          const fromSource = execStart[1] === "run";
          const denoDir = io.env.DENO_DIR ?? (io.env.HOME ? `${io.env.HOME}/.cache/deno` : undefined);
          const user = values["run-as"] ?? io.env.SUDO_USER ?? io.env.USER;
          if (scope === "system" && !values["run-as"] && (!user || user === "root")) {
            io.err(
              "talon service install --system: the unit would run Talon as root. Run it with sudo from the " +
                "account that should run Talon (sudo sets SUDO_USER), or name it with --run-as <user> " +
                "(--run-as root if you really mean it).",
            );
            return EXIT.failure;
          }
          if (!values.print) {
            const problem = await systemdProblem(deps.runner, scope);
            if (problem) {
              io.err(`talon service install: ${problem} Nothing was written. --print shows the unit.`);
              return EXIT.failure;
            }
          }
          const text = renderUnit({
            scope,
            home,
            execStart,
            extraWritablePaths: fromSource && denoDir ? [denoDir] : [],
            memoryMax: values["memory-max"],
            user: scope === "system" && user ? user : undefined,
            environmentFile: `${home}/talon.env`,
          });
          if (values.print) {
            io.out(text.trimEnd());
            return EXIT.ok;
          }
          await Deno.mkdir(home, { recursive: true, mode: 0o700 });
          try {
            await manager.install(text);
          } catch (err) {
            io.err(`talon service: wrote ${unitFile}, but ${(err as Error).message}`);
            return EXIT.failure;
          }
          io.out(`Installed ${unitFile}, enabled and started ${UNIT_NAME} (${scope}).`);
          if (!resolveProgram("bwrap", { path: io.env.PATH, cwd: "/" })) {
            io.err(
              "Warning: bwrap is not installed: exec programs will run unconfined. apt-get install bubblewrap",
            );
          }
          if (scope === "user") {
            io.out("To keep it running after you log out: loginctl enable-linger $USER");
          }
          return EXIT.ok;
        }
        case "status":
          return show(await manager.status());
        case "stop":
          return show(await manager.stop());
        case "restart":
          return show(await manager.restart());
        case "logs": {
          const n = Number(values.n);
          if (!Number.isInteger(n) || n < 1) return usage(io, "-n takes a positive number of lines");
          return show(await manager.logs(n));
        }
        case "uninstall": {
          const results = await manager.uninstall();
          const failed = results.find((r) =>
            r.code !== 0 && !/not loaded|does not exist|not found/i.test(r.stderr)
          );
          io.out(`Removed ${unitFile}.`);
          return failed ? show(failed) : EXIT.ok;
        }
        default:
          return usage(io, `unknown action "${action}"`);
      }
    },
  };
}

/** Why systemd cannot take the unit (not the init system, no user manager), or undefined when it can. */
async function systemdProblem(runner: CommandRunner, scope: ServiceScope): Promise<string | undefined> {
  let r;
  try {
    r = await runner("systemctl", [...(scope === "user" ? ["--user"] : []), "is-system-running"]);
  } catch {
    return "systemctl was not found: this machine does not run systemd.";
  }
  const state = r.stdout.trim();
  if (r.code === 0 || ["degraded", "maintenance", "starting", "initializing", "stopping"].includes(state)) {
    return undefined;
  }
  const detail = (r.stderr || state || `exit ${r.code}`).trim().split("\n")[0];
  return scope === "user"
    ? `systemd's user manager is not reachable (${detail}); log in through a session with systemd, or ` +
      "use --system as root."
    : `systemd is not running on this machine (${detail}); start Talon another way (e.g. ${talonCommand()} gateway).`;
}

function usage(io: CliIo, why: string): number {
  io.err(`talon service: ${why}\n\n${USAGE}`);
  return EXIT.usage;
}

/** The real command: systemctl/journalctl on this machine. */
export const serviceCommand: Command = createServiceCommand({
  runner: realRunner,
  mainModule: new URL("../../main.ts", import.meta.url).href,
});
