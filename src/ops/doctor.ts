/** `talon doctor`: checks that Talon can run here, each with why it matters and the fix (some applied with --fix). */
import { talonCommand } from "../core/cli_name.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import { resolveHome, type TalonPaths, talonPaths } from "../config/paths.ts";
import type { CommandRunner } from "./command_runner.ts";
import type { ConfineMode, ConfineStatus } from "../security/confine.ts";
import {
  checkBrowser,
  checkChannels,
  checkConfinement,
  checkDmScope,
  checkPermissions,
  checkPort,
  checkProviders,
  checkStore,
  checkTestSwitches,
} from "./doctor_checks.ts";
import { checkClock, checkDisk, checkService } from "./doctor_host.ts";
import { checkToolBound } from "./doctor_sandbox.ts";
import { checkMcp } from "./doctor_mcp.ts";
import { checkWhatsApp } from "./doctor_whatsapp.ts";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** The result of one check. `why` and `fix` are set for warn/fail. */
export interface DoctorResult {
  id: string;
  status: CheckStatus;
  what: string;
  why?: string;
  fix?: string;
  /** Set when --fix repaired it. */
  fixed?: boolean;
}

export interface DoctorDeps {
  env: Readonly<Record<string, string | undefined>>;
  configFile?: string;
  /** Apply the safe fixes (chmod, forward migrations). Never rewrites talon.json. */
  fix: boolean;
  runner: CommandRunner;
  fetch: typeof fetch;
  now: () => number;
  /** Also call providers and channel APIs with the configured keys. */
  online: boolean;
  /** Unit files to look for; default the user and system locations. */
  unitFiles?: { scope: "user" | "system"; path: string }[];
  /** Browser executables to look for when tools.browser.executablePath is not set. */
  browserCandidates?: string[];
  /** How exec's programs would run (default: bwrap looked up on env.PATH and probed). */
  confinement?: (mode: ConfineMode) => Promise<ConfineStatus>;
}

/** Everything the checks get. `loaded` is undefined when the config is invalid. */
export interface CheckContext extends DoctorDeps {
  paths: TalonPaths;
  loaded?: LoadedConfig;
}

/** Runs every check, in order. Checks that need a valid config are skipped when it is invalid. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = await loadConfig({ env: deps.env, configFile: deps.configFile });
    results.push({
      id: "config",
      status: "ok",
      what: loaded.fromFile
        ? `Config ${loaded.paths.configFile} is valid`
        : "No talon.json: defaults are used",
    });
  } catch (err) {
    results.push({
      id: "config",
      status: "fail",
      what: (err as Error).message,
      why: "The gateway refuses to start on an invalid config (exit 78) and the service will not restart it",
      fix:
        `Correct the file (see "${talonCommand()} config validate"); talon.json.bak holds the previous version`,
    });
  }
  const paths = loaded?.paths ?? talonPaths(resolveHome(deps.env), deps.configFile);
  const ctx: CheckContext = { ...deps, paths, loaded };
  results.push(...await checkPermissions(ctx));
  const needConfig = [
    checkStore,
    checkPort,
    checkProviders,
    checkChannels,
    checkWhatsApp,
    checkDmScope,
    checkBrowser,
    checkConfinement,
    checkTestSwitches,
    checkToolBound,
    checkMcp,
  ];
  for (const check of needConfig) {
    if (loaded) results.push(...await check(ctx));
  }
  results.push(...await checkService(ctx), ...await checkDisk(ctx), ...await checkClock(ctx));
  return results;
}

/** Human-readable report. */
export function formatDoctor(results: DoctorResult[]): string {
  const mark: Record<CheckStatus, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL", skip: "skip" };
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${mark[r.status]}] ${r.what}${r.fixed ? " (fixed)" : ""}`);
    if (r.status === "warn" || r.status === "fail") {
      if (r.why) lines.push(`       why: ${r.why}`);
      if (r.fix && !r.fixed) lines.push(`       fix: ${r.fix}`);
    }
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(
    "",
    `${count("ok")} ok, ${count("warn")} warning(s), ${count("fail")} failure(s), ${count("skip")} skipped`,
  );
  return lines.join("\n");
}
