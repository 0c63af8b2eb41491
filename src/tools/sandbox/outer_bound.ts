/**
 * The outer bound of every tool call, in Deno's permission vocabulary: what `talon gateway --allow-*`
 * flags and `sandbox.outerBound` in the config allow. A compiled binary carries its own (broad) Deno
 * permissions baked in, so its users narrow tools here instead; from source, the process's own
 * `--allow-*` flags apply as well (intersection).
 *
 * Meaning, as with `deno run`: once a bound is set, a kind it does not list is denied to tools; `true`
 * (a bare `--allow-read`) allows that whole kind; a list allows only those entries. No bound at all
 * (`undefined`) narrows nothing.
 */
import type { ToolPermissions } from "../types.ts";
import { resolveProgram } from "../../security/program_path.ts";

export const BOUND_KINDS = ["read", "write", "net", "run", "env"] as const;
export type BoundKind = typeof BOUND_KINDS[number];

/** Per kind: `true` = all of it, a list = only those; a missing kind = none. */
export type PermissionBound = { [K in BoundKind]?: true | readonly string[] };

/** Normalises a path: absolute (against `cwd`), no `.`/`..` segments, no trailing slash. */
export function normalizePath(path: string, cwd = "/"): string {
  const abs = path.startsWith("/") ? path : `${cwd.replace(/\/+$/, "")}/${path}`;
  const out: string[] = [];
  for (const seg of abs.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** True when `path` is `dir` or inside it (both normalised). */
function within(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}

function splitHost(entry: string): { host: string; port?: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.toLowerCase());
  return m ? { host: m[1]!, ...(m[2] ? { port: m[2] } : {}) } : { host: entry.toLowerCase() };
}

/** The entries of one kind both lists allow (each entry narrowed to the smaller of a matching pair). */
export function intersectEntries(
  kind: BoundKind,
  wanted: readonly string[],
  allowed: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const w of wanted) {
    for (const a of allowed) {
      const hit = intersectOne(kind, w, a);
      if (hit !== undefined) out.add(hit);
    }
  }
  return [...out];
}

function intersectOne(kind: BoundKind, w: string, a: string): string | undefined {
  switch (kind) {
    case "read":
    case "write": {
      const wp = normalizePath(w);
      const ap = normalizePath(a);
      if (within(wp, ap)) return w;
      if (within(ap, wp)) return ap;
      return undefined;
    }
    case "net": {
      const wh = splitHost(w);
      const ah = splitHost(a);
      if (wh.host !== ah.host) return undefined;
      if (!ah.port) return w;
      if (!wh.port) return a;
      return wh.port === ah.port ? w : undefined;
    }
    case "env": {
      if (a.endsWith("*")) return w.startsWith(a.slice(0, -1)) ? w : undefined;
      if (w.endsWith("*")) return a.startsWith(w.slice(0, -1)) ? a : undefined;
      return w === a ? w : undefined;
    }
    case "run":
      // Programs match as written (a name or a path), as Deno's --allow-run does; a bare name also
      // matches the program it names on PATH (exec asks for real paths), never another same-named file.
      if (w === a) return w;
      return !a.includes("/") && w.startsWith("/") && resolveProgram(a, { cwd: "/" }) === w ? w : undefined;
  }
}

/**
 * The bound plus one program the gateway itself starts around checked programs (bwrap): confinement
 * never makes a call fail the bound, and exec checks the confined program against the bound itself.
 */
export function withLauncher(bound: PermissionBound | undefined, launcher: string | undefined) {
  const run = bound?.run;
  if (!bound || !launcher || run === undefined || run === true) return bound;
  return { ...bound, run: [...run, launcher] };
}

/** Narrows a tool call's requested permissions to the bound. */
export function narrowToBound(p: ToolPermissions, bound: PermissionBound | undefined): ToolPermissions {
  if (!bound) return p;
  const out: ToolPermissions = {};
  for (const kind of BOUND_KINDS) {
    const wanted = p[kind] ?? [];
    const allowed = bound[kind];
    out[kind] = allowed === true ? [...wanted] : allowed ? intersectEntries(kind, wanted, allowed) : [];
  }
  return out;
}

/** The bound that allows only what both allow (either may be absent: no bound). */
export function intersectBounds(
  a: PermissionBound | undefined,
  b: PermissionBound | undefined,
): PermissionBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: { [K in BoundKind]?: true | string[] } = {};
  for (const kind of BOUND_KINDS) {
    const x = a[kind];
    const y = b[kind];
    if (x === undefined || y === undefined) continue;
    if (x === true) out[kind] = y === true ? true : [...y];
    else if (y === true) out[kind] = [...x];
    else out[kind] = intersectEntries(kind, x, y);
  }
  return out;
}

/** The requested entries of a kind that the bound dropped (for error messages). */
export function droppedByBound(kind: BoundKind, value: string, bound: PermissionBound | undefined): boolean {
  if (!bound) return false;
  const allowed = bound[kind];
  if (allowed === true) return false;
  if (!allowed) return true;
  return intersectEntries(kind, [value], allowed).length === 0;
}

/** Renders a bound the way Deno's flags are written, e.g. `--allow-run=git,ls --allow-read`. */
export function describeBound(bound: PermissionBound | undefined): string {
  if (!bound) return "none (tools are bounded only by the process's own permissions)";
  const parts = BOUND_KINDS.map((kind) => {
    const v = bound[kind];
    if (v === undefined) return `${kind}: denied`;
    if (v === true) return `--allow-${kind}`;
    return v.length ? `--allow-${kind}=${v.join(",")}` : `${kind}: denied`;
  });
  return parts.join(" ");
}

export interface ParsedAllowFlags {
  /** The bound the flags give, or undefined when none was passed (or `--allow-all`). */
  bound?: PermissionBound;
  /** The arguments that were not permission flags, in order. */
  rest: string[];
}

const ALLOW_FLAG = /^--allow-(read|write|net|run|env)(?:=(.*))?$/;

/**
 * Takes Deno-style permission flags out of a command line: `--allow-read[=a,b]`, `--allow-write`,
 * `--allow-net`, `--allow-run`, `--allow-env`, `-A`/`--allow-all`. Relative paths are resolved against
 * `cwd`. Throws TypeError for a permission flag Talon does not support as an outer bound.
 */
export function parseAllowFlags(argv: readonly string[], cwd: string): ParsedAllowFlags {
  const rest: string[] = [];
  const bound: { [K in BoundKind]?: true | string[] } = {};
  let any = false;
  let all = false;
  for (const arg of argv) {
    if (arg === "--") {
      rest.push(...argv.slice(argv.indexOf(arg)));
      break;
    }
    if (arg === "-A" || arg === "--allow-all") {
      all = true;
      continue;
    }
    const m = ALLOW_FLAG.exec(arg);
    if (!m) {
      if (/^--(allow|deny)-/.test(arg)) {
        throw new TypeError(
          `${
            arg.split("=")[0]
          } is not supported as an outer bound for tools; use --allow-read, --allow-write, ` +
            "--allow-net, --allow-run or --allow-env",
        );
      }
      rest.push(arg);
      continue;
    }
    any = true;
    const kind = m[1] as BoundKind;
    if (m[2] === undefined) {
      bound[kind] = true;
      continue;
    }
    const entries = m[2].split(",").map((s) => s.trim()).filter(Boolean)
      .map((e) => kind === "read" || kind === "write" ? normalizePath(e, cwd) : e);
    const prev = bound[kind];
    if (prev === true) continue;
    bound[kind] = [...(prev ?? []), ...entries];
  }
  return { bound: any && !all ? bound : undefined, rest };
}

/** What bounds tool calls in this process: the configured bound and the process's own Deno permissions. */
export interface BoundReport {
  /** The effective outer bound from flags and config, or null when none is set. */
  outerBound: PermissionBound | null;
  /** The same, written like Deno's flags. */
  described: string;
  /** This process's own permission state per kind ("granted" or "prompt"/"denied": tools get none). */
  process: Record<BoundKind, string>;
}

/** Reports the outer bound of tool calls (shown by `status`, the Control UI and `talon doctor`). */
export function boundReport(bound: PermissionBound | undefined): BoundReport {
  const process = {} as Record<BoundKind, string>;
  for (const kind of BOUND_KINDS) {
    try {
      process[kind] = Deno.permissions.querySync({ name: kind }).state;
    } catch {
      process[kind] = "unknown";
    }
  }
  return { outerBound: bound ?? null, described: describeBound(bound), process };
}
