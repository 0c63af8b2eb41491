/** systemd unit for the gateway, and `talon service` actions through an injectable command runner. */
import { GATEWAY_FLAGS } from "../core/runtime_flags.ts";
import type { CommandResult, CommandRunner } from "./command_runner.ts";
import { EXIT } from "../cli/io.ts";

export type ServiceScope = "user" | "system";

export interface UnitOptions {
  scope: ServiceScope;
  /** TALON_HOME: the only place the service may write (plus DENO_DIR when run from source). */
  home: string;
  /** The command line: the compiled binary plus `gateway`, or `deno run <flags> main.ts gateway`. */
  execStart: string[];
  /** Extra writable paths (e.g. DENO_DIR when running from source). Missing ones are ignored. */
  extraWritablePaths?: string[];
  /** MemoryMax= value, e.g. "1G". */
  memoryMax?: string;
  /** System units: the user the gateway runs as. */
  user?: string;
  /** Optional EnvironmentFile (secrets such as TALON_TOKEN); a missing file is ignored. */
  environmentFile?: string;
}

/** Deno permissions the gateway needs when it runs from source (the compiled binary has them built in). */
export function gatewayDenoFlags(home: string): string[] {
  return [
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    "--allow-ffi",
    "--allow-run",
    "--allow-read",
    `--allow-write=${home},/tmp`,
    "--unstable-worker-options",
    ...GATEWAY_FLAGS,
  ];
}

/**
 * How to start the gateway: the compiled binary itself when Talon runs as a `deno compile` executable,
 * else `deno run <flags> <main.ts> gateway`.
 */
export function gatewayExecStart(opts: { execPath: string; mainModule: string; home: string }): string[] {
  const base = opts.execPath.split("/").pop() ?? "";
  if (base !== "deno" && base !== "deno.exe") return [opts.execPath, "gateway"];
  const main = opts.mainModule.startsWith("file://") ? new URL(opts.mainModule).pathname : opts.mainModule;
  return [opts.execPath, "run", ...gatewayDenoFlags(opts.home), main, "gateway"];
}

/** Quotes one word for a systemd command line or setting (`%` doubled, spaces and quotes escaped). */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll("%", "%%");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The unit file text. RestartPreventExitStatus keeps a gateway with an invalid config from restart-looping. */
export function renderUnit(o: UnitOptions): string {
  const writable = [o.home, ...(o.extraWritablePaths ?? []).map((p) => `-${p}`)];
  const lines = [
    "[Unit]",
    "Description=Talon AI agent gateway",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "# exec programs run inside bubblewrap (apt-get install bubblewrap; tools.exec.confine, talon doctor).",
    "# It needs user namespaces: do not add RestrictNamespaces= or PrivateUsers= here.",
    "Type=simple",
    `ExecStart=${o.execStart.map(systemdQuote).join(" ")}`,
    `Environment=${systemdQuote(`TALON_HOME=${o.home}`)}`,
    // EnvironmentFile= takes the rest of the line as the path (no quoting), specifiers still expand.
    ...(o.environmentFile ? [`EnvironmentFile=-${o.environmentFile.replaceAll("%", "%%")}`] : []),
    ...(o.scope === "system" && o.user ? [`User=${o.user}`] : []),
    "Restart=on-failure",
    "RestartSec=5",
    `RestartPreventExitStatus=${EXIT.config}`,
    `MemoryMax=${o.memoryMax ?? "1G"}`,
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    `ReadWritePaths=${writable.map(systemdQuote).join(" ")}`,
    "PrivateTmp=yes",
    "",
    "[Install]",
    `WantedBy=${o.scope === "user" ? "default.target" : "multi-user.target"}`,
    "",
  ];
  return lines.join("\n");
}

export const UNIT_NAME = "talon.service";

/** Where the unit goes: ~/.config/systemd/user (user) or /etc/systemd/system (system). */
export function unitPath(scope: ServiceScope, env: Readonly<Record<string, string | undefined>>): string {
  if (scope === "system") return `/etc/systemd/system/${UNIT_NAME}`;
  const config = env.XDG_CONFIG_HOME ?? (env.HOME ? `${env.HOME}/.config` : undefined);
  if (!config) throw new TypeError("Cannot find the user's config directory: set HOME or XDG_CONFIG_HOME");
  return `${config}/systemd/user/${UNIT_NAME}`;
}

/** What `talon service` does. Every action goes through the runner; nothing touches init directly. */
export interface ServiceManager {
  /** Writes the unit, then daemon-reload, enable, start. Returns the steps' results. */
  install(unitText: string): Promise<CommandResult[]>;
  status(): Promise<CommandResult>;
  stop(): Promise<CommandResult>;
  restart(): Promise<CommandResult>;
  /** stop, disable, remove the unit, daemon-reload. */
  uninstall(): Promise<CommandResult[]>;
  logs(lines?: number): Promise<CommandResult>;
  /** True when the unit file exists. */
  installed(): Promise<boolean>;
}

export function createServiceManager(
  deps: { runner: CommandRunner; scope: ServiceScope; unitFile: string },
): ServiceManager {
  const { runner, scope, unitFile } = deps;
  const ctl = (...args: string[]) => runner("systemctl", scope === "user" ? ["--user", ...args] : args);
  const check = (r: CommandResult, what: string) => {
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    return r;
  };
  return {
    async install(unitText) {
      await Deno.mkdir(unitFile.slice(0, unitFile.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(unitFile, unitText, { mode: 0o644 });
      const out = [check(await ctl("daemon-reload"), "systemctl daemon-reload")];
      out.push(check(await ctl("enable", UNIT_NAME), "systemctl enable"));
      out.push(check(await ctl("start", UNIT_NAME), "systemctl start"));
      return out;
    },
    status: () => ctl("status", "--no-pager", UNIT_NAME),
    stop: () => ctl("stop", UNIT_NAME),
    restart: () => ctl("restart", UNIT_NAME),
    async uninstall() {
      const out = [await ctl("stop", UNIT_NAME), await ctl("disable", UNIT_NAME)];
      await Deno.remove(unitFile).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
      out.push(await ctl("daemon-reload"));
      return out;
    },
    logs: (lines = 200) =>
      runner("journalctl", [
        ...(scope === "user" ? ["--user"] : []),
        "-u",
        UNIT_NAME,
        "-n",
        String(lines),
        "--no-pager",
      ]),
    async installed() {
      try {
        return (await Deno.stat(unitFile)).isFile;
      } catch {
        return false;
      }
    },
  };
}
