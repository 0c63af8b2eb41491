import { runCli } from "../../src/cli/main.ts";

/** Runs the CLI in-process with captured output. */
export async function cli(argv: string[], env: Record<string, string>) {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out: (t) => void (out += t + "\n"),
    err: (t) => void (err += t + "\n"),
    env,
    interactive: false,
  });
  return { code, out, err };
}
