#!/usr/bin/env -S deno run --allow-all --unstable-worker-options
/** Talon entry point: hands the command line to the CLI. */
import { runCli } from "./src/cli/main.ts";
import { realIo } from "./src/cli/io.ts";

if (import.meta.main) {
  if (Deno.args[0] === "__sandbox") {
    // A compiled binary's sandbox child (src/tools/sandbox/process_mode.ts): one tool operation, narrowed.
    await import("./src/tools/sandbox/process_entry.ts");
  } else {
    const code = await runCli(Deno.args, realIo());
    Deno.exit(code);
  }
}
