#!/usr/bin/env -S deno run --allow-all --unstable-worker-options
/** Talon entry point: hands the command line to the CLI. */
import { runCli } from "./src/cli/main.ts";
import { realIo } from "./src/cli/io.ts";

if (import.meta.main) {
  const code = await runCli(Deno.args, realIo());
  Deno.exit(code);
}
