/**
 * Builds the single `talon` binary with `deno compile`: the gateway, workers, tools and the Control UI.
 * What is embedded beyond main.ts's module graph is derived from the code (scripts/embed_list.ts).
 * Uses the denort runtime from DENORT_BIN when that is set (Deno itself reads DENORT_BIN), after checking
 * that it is a denort of this Deno's version; otherwise `deno compile` downloads denort (needs internet).
 * A binary built for this machine is run once (`talon version`) before the build counts as done.
 *
 *   deno task compile [--target x86_64-unknown-linux-gnu] [--output dist/talon]
 */
import { parseArgs } from "node:util";
import { GATEWAY_FLAGS } from "../src/core/runtime_flags.ts";
import { VERSION } from "../src/core/version.ts";
import { embedList } from "./embed_list.ts";

/** Permissions baked into the binary: the outer bound for everything Talon and its tools do. */
export const COMPILE_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
  // libSQL (the store) loads its native SQLite library through Node-API.
  "--allow-ffi",
];

export function compileArgs(opts: { target?: string; output: string; include: string[] }): string[] {
  return [
    "compile",
    ...COMPILE_PERMISSIONS,
    "--unstable-worker-options",
    ...GATEWAY_FLAGS,
    ...opts.include.flatMap((w) => ["--include", w]),
    "--no-check",
    ...(opts.target ? ["--target", opts.target] : []),
    "--output",
    opts.output,
    "main.ts",
  ];
}

const HINT = "DENORT_BIN must point at the denort runtime of the same Deno version (deno " +
  `${Deno.version.deno}): the file 'denort' from denort-<target>.zip of that Deno release. Unset it to let ` +
  "deno compile download the right one (needs internet access).";

/**
 * Checks DENORT_BIN before compiling: the file exists, is not a full `deno` (which would give a binary that
 * is plain deno), and carries this Deno's version. Returns an error message, or undefined when it is fine.
 */
export async function checkDenort(
  path: string,
  denoVersion = Deno.version.deno,
): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return `DENORT_BIN=${path} does not exist. ${HINT}`;
  }
  if (!info.isFile) return `DENORT_BIN=${path} is not a file. ${HINT}`;
  const probe = await new Deno.Command(path, {
    args: ["--version"],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  })
    .output().catch((err) => ({
      code: -1,
      stdout: new Uint8Array(),
      stderr: new TextEncoder().encode(String(err)),
    }));
  const said = new TextDecoder().decode(probe.stdout);
  if (/^deno \d+\.\d+\.\d+/m.test(said)) {
    return `DENORT_BIN=${path} is a full deno binary (${
      said.split("\n")[0]
    }), not denort: the result would be ` +
      `plain deno, not talon. ${HINT}`;
  }
  if (!(await fileContains(path, new TextEncoder().encode(denoVersion)))) {
    return `DENORT_BIN=${path} is not a denort of Deno ${denoVersion} (that version string is not in it). ${HINT}`;
  }
  return undefined;
}

/** True when the file's bytes contain `needle` (streamed, so a 100 MB runtime is not read at once). */
async function fileContains(path: string, needle: Uint8Array): Promise<boolean> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  let carry = new Uint8Array(0);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) return false;
    const chunk = new Uint8Array(carry.length + n);
    chunk.set(carry);
    chunk.set(buf.subarray(0, n), carry.length);
    if (indexOf(chunk, needle) >= 0) return true;
    carry = chunk.slice(Math.max(0, chunk.length - needle.length + 1));
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Runs `<binary> version` and checks it is talon of this version; returns an error message or undefined. */
export async function verifyBinary(path: string): Promise<string | undefined> {
  const out = await new Deno.Command(path, {
    args: ["version"],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 0 || !text.includes(VERSION) || !/talon/i.test(text)) {
    return `the built ${path} is not a working talon ${VERSION}: "${path} version" exited ${out.code}: ` +
      text.trim().slice(0, 300);
  }
  return undefined;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string" }, output: { type: "string", default: "dist/talon" } },
  });
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const args = compileArgs({ target: values.target, output: values.output!, include: embedList(root) });
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    const problem = await checkDenort(denort);
    if (problem) {
      console.error(`deno task compile: ${problem}`);
      Deno.exit(1);
    }
  }
  console.log(`deno ${args.join(" ")}`);
  console.log(
    denort ? `using denort from DENORT_BIN=${denort}` : "denort will be downloaded by deno compile",
  );
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) {
    console.error(
      `deno compile failed (exit ${code}). Without internet access it cannot download denort: set DENORT_BIN ` +
        "to a denort binary of the same Deno version.",
    );
    Deno.exit(code);
  }
  const native = !values.target || values.target === Deno.build.target;
  if (native) {
    const problem = await verifyBinary(
      values.output!.startsWith("/") ? values.output! : `${root}/${values.output}`,
    );
    if (problem) {
      console.error(`deno task compile: ${problem}`);
      Deno.exit(1);
    }
    console.log(`${values.output}: talon ${VERSION}, verified`);
  }
  Deno.exit(0);
}
