/**
 * Which files the agent's own tools wrote, per session, and which of them a program is about to read.
 * A program a person approves may read configuration the agent planted (`core.fsmonitor` in
 * `.git/config`, a `postinstall` in `package.json`, a `conftest.py`): the approval request lists those
 * files, marked "changed by the agent". Kept in memory by the worker that runs the session's tools.
 */
import { baseName, isWithin } from "../security/program_path.ts";

/** Files programs are known to read from the project they run in (workspace-relative tails). */
const KNOWN_READS: readonly [RegExp, readonly string[]][] = [
  [/^git$/, [".git/config", ".git/hooks/*", ".gitattributes", ".gitmodules", ".git/info/attributes"]],
  [/^(npm|npx|node|yarn|pnpm|bun|corepack)$/, [
    "package.json",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pnpmfile.cjs",
  ]],
  [/^g?make$/, ["Makefile", "makefile", "GNUmakefile", "*.mk"]],
  [/^(python[\d.]*|pip[\d.]*|pytest|py\.test|uv|poetry|tox)$/, [
    "pyproject.toml",
    "conftest.py",
    "setup.py",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    "sitecustomize.py",
    "usercustomize.py",
    "*.pth",
  ]],
  [/^(cargo|rustc)$/, ["Cargo.toml", "build.rs", ".cargo/config", ".cargo/config.toml"]],
  [/^deno$/, ["deno.json", "deno.jsonc", "package.json", ".npmrc"]],
];

const MAX_SESSIONS = 500;
const MAX_FILES = 2000;

export interface AgentWrites {
  /** Notes that a tool of `sessionKey` wrote the file at canonical path `path`. */
  record(sessionKey: string, path: string): void;
  /** Canonical paths the session's tools wrote (oldest first). */
  written(sessionKey: string): readonly string[];
}

/** Creates an in-memory journal (bounded: oldest sessions and files are forgotten first). */
export function createAgentWrites(): AgentWrites {
  const bySession = new Map<string, Set<string>>();
  return {
    record(sessionKey, path) {
      let files = bySession.get(sessionKey);
      if (files) bySession.delete(sessionKey); // re-insert: most recently used last
      else files = new Set();
      files.delete(path);
      files.add(path);
      if (files.size > MAX_FILES) files.delete(files.values().next().value!);
      bySession.set(sessionKey, files);
      if (bySession.size > MAX_SESSIONS) bySession.delete(bySession.keys().next().value!);
    },
    written: (sessionKey) => [...(bySession.get(sessionKey) ?? [])],
  };
}

/** Patterns (workspace-relative tails such as `.git/hooks/*`) of files `program` reads. */
export function knownReads(program: string): readonly string[] {
  const name = baseName(program);
  return KNOWN_READS.filter(([re]) => re.test(name)).flatMap(([, files]) => files);
}

/**
 * The files among `written` (canonical paths) that the call will read: the program itself, files named
 * by its arguments, and the project files its kind of program is known to read. Workspace-relative.
 */
export function changedFilesRead(
  written: readonly string[],
  call: { program: string; requested: string; args: readonly string[]; cwd: string; workspace: string },
): string[] {
  if (written.length === 0) return [];
  const patterns = [...new Set([...knownReads(call.program), ...knownReads(call.requested)])];
  const operands = new Set(
    call.args.flatMap((a) => {
      const v = a.startsWith("-") ? a.slice(a.indexOf("=") + 1) : a;
      if (v === "" || v.startsWith("-")) return [];
      return [normalize(v.startsWith("/") ? v : `${call.cwd}/${v}`)];
    }),
  );
  const out: string[] = [];
  for (const file of written) {
    if (!isWithin(file, call.workspace)) continue;
    const rel = file.slice(call.workspace.length + 1);
    if (file === call.program || operands.has(file) || patterns.some((p) => tailMatches(p, rel))) {
      out.push(rel);
    }
  }
  return out;
}

/** True when the last segments of `rel` match the segments of `pattern` (`*` within one segment). */
function tailMatches(pattern: string, rel: string): boolean {
  const want = pattern.split("/");
  const have = rel.split("/");
  if (have.length < want.length) return false;
  const tail = have.slice(have.length - want.length);
  return want.every((w, i) =>
    new RegExp("^" + w.split("*").map(escapeRe).join("[^/]*") + "$").test(tail[i]!)
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}
