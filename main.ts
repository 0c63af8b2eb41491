#!/usr/bin/env -S deno run --allow-all --unstable-worker-options
/** Talon entry point: hands the command line to the CLI. */
import { runCli } from "./src/cli/main.ts";
import { realIo } from "./src/cli/io.ts";
import { cliInvocation, invocationFacts } from "./src/cli/invocation.ts";
import { setTalonCommandPrefix } from "./src/core/cli_name.ts";

if (import.meta.main) {
  if (Deno.args[0] === "__sandbox") {
    // A compiled binary's sandbox child (src/tools/sandbox/process_mode.ts): one tool operation, narrowed.
    await import("./src/tools/sandbox/process_entry.ts");
  } else {
    const io = realIo();
    // Hints name the command that works here (`talon`, `deno task talon`, the binary's path, …).
    setTalonCommandPrefix(
      cliInvocation(
        invocationFacts(
          io.env,
          decodeURIComponent(new URL(".", import.meta.url).pathname).replace(/\/$/, ""),
        ),
      ),
    );
    const code = await runCli(Deno.args, io);
    Deno.exit(code);
  }
}
