/** Value helpers for mapping OpenClaw config values onto Talon's: secrets, ids, model refs, paths. */
import { isObj, type Obj, type Unmapped } from "./types.ts";

/** Collects what the mapping could not carry over and what needs the user's attention. */
export interface MapContext {
  /** The OpenClaw state directory (`--from`). */
  stateDir: string;
  /** The user's home directory, for `~` in OpenClaw paths; undefined when unknown. */
  userHome?: string;
  unmapped: Unmapped[];
  warnings: string[];
}

/** Creates an empty context. */
export function createMapContext(stateDir: string, userHome?: string): MapContext {
  return { stateDir, userHome, unmapped: [], warnings: [] };
}

const ENV_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const ANY_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** True when the whole string is one `${VAR}` reference. */
export function isEnvRef(value: string): boolean {
  return ENV_REF.test(value);
}

/**
 * Maps a secret value. `${VAR}` strings and OpenClaw SecretRefs `{source:"env", id}` become `${VAR}`;
 * a literal is kept as it was (with a warning: Talon would rather read it from the environment);
 * file/exec SecretRefs cannot be carried over and are reported.
 */
export function mapSecret(value: unknown, path: string, ctx: MapContext): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    if (!isEnvRef(value)) {
      ctx.warnings.push(
        `${path}: a plaintext secret was copied as is; move it to an environment variable and write \${VAR} in talon.json`,
      );
    }
    return value;
  }
  if (
    isObj(value) && value.source === "env" && typeof value.id === "string" && /^[A-Za-z_]\w*$/.test(value.id)
  ) {
    return `\${${value.id}}`;
  }
  const source = isObj(value) && typeof value.source === "string" ? value.source : typeof value;
  ctx.unmapped.push({
    path,
    reason:
      `secret from "${source}" cannot be carried over; Talon reads secrets from the environment (\${VAR})`,
  });
  return undefined;
}

/** Every `${VAR}` referenced anywhere in a JSON-like value, sorted. `$${…}` escapes are skipped. */
export function collectEnvRefs(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      for (const m of v.replaceAll("$${", "").matchAll(ANY_REF)) out.add(m[1]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out].sort();
}

/** Lowercases an id and replaces characters Talon does not allow in ids; undefined when nothing is left. */
export function talonId(raw: string): string | undefined {
  const id = raw.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "").replace(/-+$/, "");
  return id.length > 0 ? id : undefined;
}

/** Expands `~` and resolves relative paths against the state dir; `~/.openclaw/…` maps into `--from`. */
export function resolveSourcePath(raw: string, ctx: MapContext): string {
  let p = raw.trim();
  if (p === "~/.openclaw" || p.startsWith("~/.openclaw/")) {
    return ctx.stateDir + p.slice("~/.openclaw".length);
  }
  if (p === "~" || p.startsWith("~/")) {
    if (ctx.userHome) return ctx.userHome + p.slice(1);
    p = p.slice(2);
  }
  if (p.startsWith("/")) return p.replace(/\/+$/, "") || "/";
  return `${ctx.stateDir}/${p}`.replace(/\/+$/, "");
}

/** Reads `{primary, fallbacks}` or a bare string model setting into a chain of raw refs. */
export function readModelChain(value: unknown): { primary?: string; fallbacks: string[] } | undefined {
  if (typeof value === "string" && value.trim()) return { primary: value.trim(), fallbacks: [] };
  if (!isObj(value)) return undefined;
  const primary = typeof value.primary === "string" && value.primary.trim()
    ? value.primary.trim()
    : undefined;
  const fallbacks = Array.isArray(value.fallbacks)
    ? value.fallbacks.filter((f): f is string => typeof f === "string" && f.trim() !== "").map((f) =>
      f.trim()
    )
    : [];
  return primary || fallbacks.length ? { primary, fallbacks } : undefined;
}

/** Reads a string array, dropping non-strings; numbers (Telegram/Discord ids) become strings. */
export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v) => typeof v === "string" || typeof v === "number").map((v) => String(v).trim())
    .filter((v) => v !== "");
}

/** Copies the keys of `obj` not in `handled` into the unmapped list as `<prefix>.<key>`. */
export function reportRest(
  obj: Obj,
  handled: readonly string[],
  prefix: string,
  reason: string,
  ctx: MapContext,
) {
  for (const key of Object.keys(obj)) {
    if (!handled.includes(key)) ctx.unmapped.push({ path: `${prefix}.${key}`, reason });
  }
}
