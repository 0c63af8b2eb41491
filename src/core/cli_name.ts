/**
 * How a person runs the Talon CLI on this machine — `talon` when it is on PATH, else the exact form that
 * works (`deno task --config /src/talon/deno.json talon`, `npx -y deno@2.9.6 task talon`, `/opt/talon/talon`).
 * Every hint that tells the user to run a command is written with `talonCommand`, so it can be pasted as is.
 * The entry point (main.ts) sets the prefix once at start, from `cli/invocation.ts`; until then it is `talon`.
 */
let prefix = "talon";

/** Sets how the CLI is invoked on this machine (main.ts, once at start). */
export function setTalonCommandPrefix(value: string): void {
  prefix = value.trim() || "talon";
}

/** The command line that runs `talon <rest>` here, e.g. `talonCommand("dashboard")`. */
export function talonCommand(rest = ""): string {
  return rest ? `${prefix} ${rest}` : prefix;
}
