/**
 * OS confinement of child processes (exec, later MCP stdio servers): one place that decides whether a
 * child runs inside bubblewrap and builds its launch line. Deno permissions confine Talon's own code; a
 * child process is an OS process they do not reach, so on Linux it runs in `bwrap` (see bwrap_args.ts).
 *
 * `mode` (tools.exec.confine): `auto` uses bwrap when it is on PATH, this process may run it and a probe
 * run works, else runs unconfined and says so; `bwrap` requires it and refuses every launch when it is
 * unusable; `off` never confines. Detection happens once, on first use.
 */
import { bwrapArgs, type ConfineSpec, type HostLayout, realHostLayout } from "./bwrap_args.ts";
import { resolveProgram } from "./program_path.ts";

export type { ConfineSpec } from "./bwrap_args.ts";

export type ConfineMode = "auto" | "bwrap" | "off";

/** What launches get: confined by bwrap, unconfined (and why), or refused (mode bwrap without a usable one). */
export type ConfineStatus =
  | { kind: "bwrap"; program: string }
  | { kind: "none"; reason: string }
  | { kind: "unavailable"; reason: string };

/** How to start one child: program, arguments and the complete environment (inherit nothing). */
export interface LaunchPlan {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  confined: boolean;
}

/** Confinement was required (`bwrap`) but is not usable here. */
export class ConfineError extends Error {
  override name = "ConfineError";
}

export interface ConfinerDeps {
  mode: ConfineMode;
  /** `Deno.build.os`: bwrap exists on Linux only. */
  os: string;
  /** The PATH to find `bwrap` on. */
  path?: string;
  host?: HostLayout;
  /** Runs bwrap once; returns an error text when it does not work here (e.g. user namespaces are off). */
  probe?: (bwrap: string, args: string[]) => Promise<string | undefined>;
  /** Whether this process may start `program` (its own --allow-run is the outer bound). */
  mayRun?: (program: string) => boolean;
}

export interface Confiner {
  /** The bwrap that launches would use (before probing), for permission lists; undefined when off. */
  launcher(): string | undefined;
  status(): Promise<ConfineStatus>;
  /** The launch line for `spec`. Throws ConfineError when mode is `bwrap` and bwrap is unusable. */
  plan(spec: ConfineSpec): Promise<LaunchPlan>;
}

/** Creates a confiner; nothing is probed until the first `status()` or `plan()`. */
export function createConfiner(deps: ConfinerDeps): Confiner {
  const host = deps.host ?? realHostLayout();
  const probe = deps.probe ?? probeBwrap;
  const mayRun = deps.mayRun ?? processMayRun;
  const found = deps.mode === "off" || deps.os !== "linux"
    ? undefined
    : resolveProgram("bwrap", { path: deps.path, cwd: "/" });
  let detected: Promise<ConfineStatus> | undefined;

  const detect = async (): Promise<ConfineStatus> => {
    const missing = (reason: string): ConfineStatus =>
      deps.mode === "bwrap" ? { kind: "unavailable", reason } : { kind: "none", reason };
    if (deps.mode === "off") return { kind: "none", reason: 'tools.exec.confine is "off"' };
    if (deps.os !== "linux") return missing(`bubblewrap confinement needs Linux (this is ${deps.os})`);
    if (!found) return missing("bwrap was not found on PATH (install the Debian package bubblewrap)");
    if (!mayRun(found)) return missing(`this process may not run ${found} (--allow-run)`);
    const trueProgram = resolveProgram("true", { path: "/usr/bin:/bin", cwd: "/" }) ?? found;
    const args = bwrapArgs(
      {
        argv: trueProgram === found ? [found, "--version"] : [trueProgram],
        cwd: "/",
        env: {},
        writable: [],
        network: false,
      },
      host,
    );
    const error = await probe(found, args);
    if (error) return missing(`${found} does not work here: ${error}`);
    return { kind: "bwrap", program: found };
  };
  const status = () => detected ??= detect();

  return {
    launcher: () => found,
    status,
    async plan(spec) {
      const s = await status();
      if (s.kind === "unavailable") {
        throw new ConfineError(`tools.exec.confine is "bwrap" but ${s.reason}; nothing was run`);
      }
      if (s.kind === "none") {
        const [program, ...args] = spec.argv;
        if (!program) throw new TypeError("plan: argv is empty");
        return { program, args, cwd: spec.cwd, env: { ...spec.env }, confined: false };
      }
      return {
        program: s.program,
        args: bwrapArgs(spec, host),
        cwd: spec.cwd,
        env: { ...spec.env },
        confined: true,
      };
    },
  };
}

/** One line for people: how child processes run here. */
export function describeConfinement(s: ConfineStatus): string {
  if (s.kind === "bwrap") return `confined by bubblewrap (${s.program})`;
  if (s.kind === "none") return `unconfined: ${s.reason}`;
  return `refused: ${s.reason}`;
}

function processMayRun(program: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command: program }).state === "granted";
  } catch {
    return false;
  }
}

async function probeBwrap(bwrap: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(bwrap, {
      args,
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(15_000),
    }).output();
    if (out.success) return undefined;
    return new TextDecoder().decode(out.stderr).trim().slice(0, 300) || `exit code ${out.code}`;
  } catch (err) {
    return (err as Error).message;
  }
}
