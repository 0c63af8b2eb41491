/**
 * Turns an `exec` call into what will really run: the program's real path (PATH lookup now, symlinks
 * resolved), the approval binding (argv, cwd, stdin, env names, network, confinement) and the
 * confinement spec. Everything a person approves is computed here once and then run unchanged.
 */
import type { ToolsConfig } from "../config/sections/tools.ts";
import { baseName, isWithin, resolveProgram } from "../security/program_path.ts";
import type { ConfineSpec, ConfineStatus } from "../security/confine.ts";
import { SYSTEM_DIRS } from "../security/bwrap_args.ts";
import { type ExecBinding, summarizeStdin } from "./approval_binding.ts";
import { narrowPermissions } from "./sandbox/sandbox.ts";
import { describeBound, droppedByBound, type PermissionBound } from "./sandbox/outer_bound.ts";
import { ToolError } from "./errors.ts";

/** Programs that are shells: refused unless tools.exec.allowShell. */
export const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "fish",
  "csh",
  "tcsh",
  "busybox",
]);

export interface PreparedExec {
  /** The program's real absolute path. */
  program: string;
  binding: ExecBinding;
  env: Record<string, string>;
  spec: ConfineSpec;
}

/** Resolves, checks and binds one call. Throws ToolError. */
export async function prepareExec(
  call: { argv: readonly string[]; cwd: string; stdin?: string; network?: boolean; workspace: string },
  o: {
    exec: Readonly<ToolsConfig["exec"]>;
    env: Readonly<Record<string, string | undefined>>;
    confinement: ConfineStatus;
    bound?: PermissionBound;
  },
): Promise<PreparedExec> {
  const requested = call.argv[0]!;
  refuseShell(requested, o.exec.allowShell);
  const program = resolveProgram(requested, { path: o.env.PATH, cwd: call.cwd });
  if (!program) {
    throw new ToolError(
      "NotFound",
      requested.includes("/")
        ? `exec: program ${requested} was not found (or is not executable)`
        : `exec: program ${requested} was not found on PATH`,
    );
  }
  refuseShell(program, o.exec.allowShell);
  // The outer bound (configured, and the process's own --allow-run) holds also when bwrap starts it.
  if ((narrowPermissions({ run: [program] }, o.bound).run ?? []).length === 0) {
    throw new ToolError(
      "NotCapable",
      droppedByBound("run", program, o.bound)
        ? `run ${program} is outside the gateway's outer bound for tools (${describeBound(o.bound)})`
        : `run ${program} is outside this tool call's permissions (run: none)`,
    );
  }
  if (o.confinement.kind === "unavailable") {
    throw new ToolError(
      "Failed",
      `exec: tools.exec.confine is "bwrap" but ${o.confinement.reason}; nothing was run`,
    );
  }
  const env: Record<string, string> = {};
  for (const name of o.exec.envAllow) {
    const v = o.env[name];
    if (v !== undefined) env[name] = v;
  }
  const argv = [program, ...call.argv.slice(1)];
  const binding: ExecBinding = {
    argv,
    cwd: call.cwd,
    ...(call.stdin === undefined ? {} : { stdin: await summarizeStdin(call.stdin) }),
    envNames: Object.keys(env).sort(),
    network: call.network ?? false,
    confined: o.confinement.kind === "bwrap",
  };
  const home = env.HOME;
  const privateHome = home?.startsWith("/") && home !== "/" && !SYSTEM_DIRS.some((d) => isWithin(home, d));
  const spec: ConfineSpec = {
    argv,
    cwd: call.cwd,
    env,
    writable: [call.workspace],
    readable: o.exec.readOnlyPaths,
    empty: privateHome ? [home!] : [],
    network: binding.network ?? false,
  };
  return { program, binding, env, spec };
}

function refuseShell(program: string, allowShell: boolean): void {
  const name = baseName(program);
  if (SHELLS.has(name) && !allowShell) {
    throw new ToolError(
      "Denied",
      `${name} is a shell and tools.exec.allowShell is off; pass the program and its arguments as argv`,
    );
  }
}
