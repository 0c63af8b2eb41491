/**
 * Works out how the user runs the Talon CLI on this machine, so hints name a command that works when pasted:
 * - `TALON_CLI` set: that, as given;
 * - a compiled binary: its name when that name on PATH is this very file, else its full path;
 * - from source: `talon` when the shim of `deno task talon:install` for this checkout is on PATH; else
 *   `<deno> task [--config <checkout>/deno.json] talon`, where `<deno>` is `deno` when that is on PATH,
 *   `npx -y deno@<version>` when Deno runs from npx's cache, else Deno's full path.
 */
import { resolveProgram } from "../security/program_path.ts";

/** The marker line of the shim written by `talon install-cli`; the next line names the checkout's main.ts. */
export const SHIM_MARKER = "# talon-cli-shim";

/** What the answer depends on; `cliInvocation` takes the real values, tests pass their own. */
export interface InvocationFacts {
  env: Record<string, string | undefined>;
  /** Deno.execPath(): the deno executable, or the compiled binary. */
  execPath: string;
  /** Deno.build.standalone. */
  standalone: boolean;
  cwd: string;
  /** The checkout's directory (where deno.json and main.ts are), when running from source. */
  sourceDir: string;
  denoVersion: string;
}

/** npx unpacks packages into ~/.npm/_npx/<hash>/, a cache npm may clear at any time. */
export function isThrowAwayPath(path: string): boolean {
  return /\/_npx\//.test(path);
}

/** The command prefix that runs the Talon CLI here (see the module comment). */
export function cliInvocation(f: InvocationFacts): string {
  const override = f.env.TALON_CLI?.trim();
  if (override) return override;
  const onPath = (name: string) => resolveProgram(name, { path: f.env.PATH, cwd: f.cwd });
  const self = realPath(f.execPath);
  if (f.standalone) {
    const name = f.execPath.split("/").pop() ?? "talon";
    return onPath(name) === self ? name : shellWord(f.execPath);
  }
  const shim = onPath("talon");
  if (shim && isShimFor(shim, f.sourceDir)) return "talon";
  const deno = isThrowAwayPath(f.execPath)
    ? `npx -y deno@${f.denoVersion}`
    : onPath("deno") === self
    ? "deno"
    : shellWord(f.execPath);
  return f.cwd === f.sourceDir
    ? `${deno} task talon`
    : `${deno} task --config ${shellWord(`${f.sourceDir}/deno.json`)} talon`;
}

/** True when `path` is the shim `talon install-cli` wrote for the checkout in `sourceDir`. */
export function isShimFor(path: string, sourceDir: string): boolean {
  try {
    const head = new TextDecoder().decode(Deno.readFileSync(path).subarray(0, 4096));
    const lines = head.split("\n");
    const at = lines.indexOf(SHIM_MARKER);
    return at >= 0 && lines[at + 1] === `# source: ${sourceDir}`;
  } catch {
    return false;
  }
}

/** A word safe to paste into a POSIX shell (single-quoted when it holds anything but plain path characters). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/**
 * Sets up the process for the CLI: under `deno task talon` Deno runs tasks in the checkout, so the user's
 * own directory (INIT_CWD) is restored for relative paths; then the hint prefix is worked out. main.ts calls it.
 */
export function invocationFacts(env: Record<string, string | undefined>, sourceDir: string): InvocationFacts {
  const initCwd = env.INIT_CWD;
  if (!Deno.build.standalone && initCwd && Deno.cwd() === sourceDir && initCwd !== sourceDir) {
    try {
      Deno.chdir(initCwd);
    } catch {
      // The directory is gone: stay in the checkout.
    }
  }
  return {
    env,
    execPath: Deno.execPath(),
    standalone: Deno.build.standalone,
    cwd: Deno.cwd(),
    sourceDir,
    denoVersion: Deno.version.deno,
  };
}
