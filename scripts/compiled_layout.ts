/**
 * Lays out exactly what `deno compile` embeds — main.ts's module graph, the --include list derived from the
 * code (scripts/embed_list.ts) with the module graphs of included entries, deno.json and deno.lock — in a
 * folder of its own, and runs Talon from there. With no source tree beside it, a run-time load that the
 * compile would miss fails here too: this is how we test the binary's layout on machines that cannot
 * download denort.
 *
 *   deno run -A scripts/compiled_layout.ts <dir>     write the layout to <dir>
 */
import { COMPILE_PERMISSIONS } from "./compile.ts";
import { embedList } from "./embed_list.ts";
import { GATEWAY_FLAGS } from "../src/core/runtime_flags.ts";

/** Local modules in the static (and literal dynamic) import graph of `entry`, repo-relative. */
async function moduleGraph(root: string, entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(out.stderr)}`);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: { specifier: string }[] };
  const prefix = `file://${root}/`;
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith(prefix)).map((s) =>
    decodeURIComponent(s.slice(prefix.length))
  );
}

async function copyInto(root: string, dest: string, rel: string): Promise<void> {
  const info = await Deno.stat(`${root}/${rel}`);
  if (info.isDirectory) {
    for await (const e of Deno.readDir(`${root}/${rel}`)) await copyInto(root, dest, `${rel}/${e.name}`);
    return;
  }
  const to = `${dest}/${rel}`;
  await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(`${root}/${rel}`, to);
}

/** Writes the layout of the compiled binary to `dest`; returns the files written (repo-relative). */
export async function buildCompiledLayout(root: string, dest: string): Promise<string[]> {
  const include = embedList(root);
  const files = new Set<string>(["deno.json", "deno.lock", ...await moduleGraph(root, "main.ts")]);
  for (const inc of include) {
    if (/\.tsx?$/.test(inc)) { for (const m of await moduleGraph(root, inc)) files.add(m); }
    else files.add(inc);
  }
  for (const f of files) await copyInto(root, dest, f);
  return [...files].sort();
}

/** The `deno run` arguments that run the layout's main.ts with the binary's baked-in flags. */
export function layoutRunArgs(dest: string, cliArgs: string[]): string[] {
  return [
    "run",
    ...COMPILE_PERMISSIONS,
    "--unstable-worker-options",
    ...GATEWAY_FLAGS,
    "--cached-only",
    "--no-prompt",
    "--config",
    `${dest}/deno.json`,
    `${dest}/main.ts`,
    ...cliArgs,
  ];
}

if (import.meta.main) {
  const dest = Deno.args[0];
  if (!dest) {
    console.error("usage: deno run -A scripts/compiled_layout.ts <dir>");
    Deno.exit(2);
  }
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const files = await buildCompiledLayout(root, dest);
  console.log(
    `${files.length} files written to ${dest}; run: deno ${layoutRunArgs(dest, ["gateway"]).join(" ")}`,
  );
}
