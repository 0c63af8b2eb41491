import { ConfigError } from "../core/errors.ts";

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string value with the environment variable's value; `$${VAR}` is a literal
 * `${VAR}`. A reference to an unset variable is an error naming the key path.
 */
export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  file: string,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === "string") {
    return value.replace(REF, (match, name: string | undefined) => {
      if (match === "$${") return "${";
      const v = env[name!];
      if (v === undefined) {
        throw new ConfigError(
          `Invalid config ${file}: ${formatPath(path)}: environment variable ${name} is not set`,
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, file, [...path, i]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, file, [...path, k]);
    return out;
  }
  return value;
}

/** `gateway.auth.token`, `agents.list[0].id`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
