/** Runs external programs (systemctl, journalctl, df). Injected so tests never touch the machine. */

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args…` and returns its exit code and output. Throws Deno.errors.NotFound when cmd is missing. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

/** The real runner, via Deno.Command (needs --allow-run). */
export const realRunner: CommandRunner = async (cmd, args) => {
  const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
};
