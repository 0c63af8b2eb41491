import type { Env } from "../config/load.ts";
import { processEnv } from "../config/env.ts";

/** What a command may touch: its output streams and the environment. Tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Env;
  /** True when stdin/stdout are a terminal (interactive prompts allowed). */
  interactive: boolean;
}

/** A CLI command. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The config is invalid: systemd's RestartPreventExitStatus uses it. */
  config: 78,
  unavailable: 69,
  /** The gateway refused the CLI's token (sysexits EX_NOPERM). */
  unauthorized: 77,
} as const;

export function realIo(): CliIo {
  return {
    out: (t) => console.log(t),
    err: (t) => console.error(t),
    env: processEnv(),
    interactive: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
  };
}
