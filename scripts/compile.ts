/**
 * Builds the single `talon` binary with `deno compile`: the gateway, workers, tools and the Control UI
 * (web/ is embedded with --include). Uses the denort runtime from DENORT_BIN when that is set (Deno
 * itself reads DENORT_BIN); otherwise `deno compile` downloads denort, which needs internet access.
 *
 *   deno task compile [--target x86_64-unknown-linux-gnu] [--output dist/talon]
 */
import { parseArgs } from "node:util";
import { GATEWAY_V8_FLAGS } from "../src/core/runtime_flags.ts";

/** Permissions baked into the binary: the outer bound for everything Talon and its tools do. */
export const COMPILE_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
  // @libsql/client loads its native SQLite library through Node-API.
  "--allow-ffi",
];

export function compileArgs(opts: { target?: string; output: string; workers?: string[] }): string[] {
  return [
    "compile",
    ...COMPILE_PERMISSIONS,
    "--unstable-worker-options",
    GATEWAY_V8_FLAGS,
    "--include",
    "web",
    ...(opts.workers ?? []).flatMap((w) => ["--include", w]),
    "--no-check",
    ...(opts.target ? ["--target", opts.target] : []),
    "--output",
    opts.output,
    "main.ts",
  ];
}

/**
 * Worker entry modules (`*_worker.ts`) are loaded with `new Worker(new URL(...))`, which deno compile
 * does not follow by itself: each one is included explicitly.
 */
export function findWorkerEntries(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...findWorkerEntries(path));
    else if (entry.name.endsWith("_worker.ts")) out.push(path);
  }
  return out.sort();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string" }, output: { type: "string", default: "dist/talon" } },
  });
  const args = compileArgs({
    target: values.target,
    output: values.output!,
    workers: findWorkerEntries("src"),
  });
  const denort = Deno.env.get("DENORT_BIN");
  console.log(`deno ${args.join(" ")}`);
  console.log(
    denort ? `using denort from DENORT_BIN=${denort}` : "denort will be downloaded by deno compile",
  );
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) {
    console.error(
      `deno compile failed (exit ${code}). Without internet access it cannot download denort: set DENORT_BIN ` +
        "to a denort binary of the same Deno version.",
    );
  }
  Deno.exit(code);
}
