/**
 * What `deno compile` must embed beyond main.ts's static module graph, derived from the code itself:
 * every file or folder a module loads by URL at run time (`new URL("…", import.meta.url)` — Worker
 * entries, the sandbox child's entry, the Control UI folder). Loads the compiler cannot follow and this
 * scan cannot resolve (`import.meta.dirname`, `import.meta.resolve`, `import(<expression>)`) must be
 * listed in DYNAMIC_LOADS with where their target comes from, or the scan fails.
 */

/** One run-time load found in the source. */
export interface RuntimeLoad {
  /** The module that loads it, relative to the repo root. */
  from: string;
  /** The loaded file or folder, relative to the repo root. */
  target: string;
}

/** A load the scan cannot resolve, with a note on where its target is embedded from. */
export interface UnresolvedLoad {
  from: string;
  code: string;
}

/**
 * Non-literal loads that are known and covered, as `file: reason`. shard_worker.ts imports the handler
 * module the pool was given, which is itself a `new URL(…, import.meta.url)` (src/app/services.ts).
 */
export const DYNAMIC_LOADS: Readonly<Record<string, string>> = {
  "src/lanes/shard_worker.ts":
    "imports the pool's handlerUrl, a new URL(…, import.meta.url) in src/app/services.ts",
  "src/lanes/shard_pool.ts":
    'new Worker(workerUrl): workerUrl is new URL("./shard_worker.ts", import.meta.url) above it',
};

const URL_LOAD = /new URL\(\s*(["'`])([^"'`$]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const UNRESOLVED = [
  /import\.meta\.(dirname|filename|resolve)\b/g,
  /\bimport\((?!\s*["'`])\s*[^)\s]/g,
  /new Worker\(\s*(?!new URL\(\s*["'`])[^)]/g,
];

/** Joins a relative reference to the folder of `from` (both repo-relative), normalising `.` and `..`. */
export function resolveRelative(from: string, ref: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of ref.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
}

/** Scans one module's text. */
export function scanModule(
  from: string,
  text: string,
): { loads: RuntimeLoad[]; unresolved: UnresolvedLoad[] } {
  const code = stripComments(text);
  const loads: RuntimeLoad[] = [];
  for (const m of code.matchAll(URL_LOAD)) loads.push({ from, target: resolveRelative(from, m[2]!) });
  const unresolved: UnresolvedLoad[] = [];
  for (const re of UNRESOLVED) {
    for (const m of code.matchAll(re)) unresolved.push({ from, code: m[0] });
  }
  return { loads, unresolved };
}

/** Removes // and /* *\/ comments (not inside strings: good enough for our own sources). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every .ts/.tsx module under `dirs` (repo-relative), sorted. */
export function listModules(root: string, dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(`${root}/${rel}`)) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (/\.tsx?$/.test(e.name)) out.push(path);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/**
 * The `--include` list for deno compile: every run-time load target in src/ and main.ts (main.ts itself,
 * the entry, is left out). Throws when a load cannot be resolved and is not in DYNAMIC_LOADS, or when a
 * target does not exist.
 */
export function embedList(root: string): string[] {
  const targets = new Set<string>();
  const problems: string[] = [];
  for (const file of ["main.ts", ...listModules(root, ["src"])]) {
    const { loads, unresolved } = scanModule(file, Deno.readTextFileSync(`${root}/${file}`));
    for (const l of loads) {
      if (l.target === "main.ts") continue;
      try {
        Deno.statSync(`${root}/${l.target}`);
      } catch {
        problems.push(`${l.from} loads ${l.target}, which does not exist`);
        continue;
      }
      targets.add(l.target.replace(/\/$/, ""));
    }
    for (const u of unresolved) {
      if (!DYNAMIC_LOADS[u.from]) {
        problems.push(
          `${u.from}: ${u.code}… is a run-time load deno compile cannot follow; list it in DYNAMIC_LOADS`,
        );
      }
    }
  }
  if (problems.length) throw new Error(`Cannot derive what to embed:\n  ${problems.join("\n  ")}`);
  return [...targets].sort();
}
