/**
 * Tool sandboxes are Deno Workers with `deno.permissions`, an API behind `--unstable-worker-options`.
 * Without the flag Deno kills the whole process (exit 70) at the first sandboxed tool call, so
 * `talon gateway` checks its own command line at start and refuses with a message naming the flag.
 * Only a `deno run` from source can lack it: the compiled binary is built with it.
 */

/** The flag Deno needs for Workers with their own permissions. */
export const WORKER_FLAG = "--unstable-worker-options";

/**
 * The problem when this process is `deno run` without the flag, else undefined. `cmdline` is the process's
 * NUL-separated command line (Linux /proc/self/cmdline); when it cannot be read, nothing is claimed.
 */
export function missingWorkerFlag(execPath: string, cmdline: string | undefined): string | undefined {
  const exe = execPath.split("/").pop() ?? "";
  if (exe !== "deno" && exe !== "deno.exe") return undefined;
  if (cmdline === undefined) return undefined;
  const args = cmdline.split("\0").filter(Boolean);
  const scriptAt = args.findIndex((a, i) =>
    i > 1 && !a.startsWith("-") && /\.(ts|js|mjs)$|^(file|https?):/.test(a)
  );
  const denoFlags = scriptAt === -1 ? args : args.slice(0, scriptAt);
  if (denoFlags.some((a) => a === WORKER_FLAG || a === "--unstable")) return undefined;
  return `Deno was started without ${WORKER_FLAG}: the tool sandbox needs it, and without it Deno stops ` +
    `the whole gateway (exit 70) at the first tool call. Start it as \`deno run ${WORKER_FLAG} --allow-all ` +
    "main.ts gateway` (or `deno task start`).";
}

/** Reads /proc/self/cmdline, or undefined where there is none. */
export async function ownCommandLine(): Promise<string | undefined> {
  try {
    return await Deno.readTextFile("/proc/self/cmdline");
  } catch {
    return undefined;
  }
}

/** Deno.execPath(), or "" when --allow-read does not cover it (then nothing is claimed). */
export function ownExecPath(): string {
  try {
    return Deno.execPath();
  } catch {
    return "";
  }
}
