import { ConfigError } from "../core/errors.ts";
import { type Env, validateConfig } from "./load.ts";

/**
 * Writes talon.json atomically: validate → write a temp file (0600) beside it → keep the previous file as
 * talon.json.bak → rename the temp file over the target. A reader never sees half a file.
 * Returns the backup's path when there was a previous file to keep.
 */
export async function writeConfigFile(
  path: string,
  raw: Record<string, unknown>,
  env: Env,
): Promise<{ backup?: string }> {
  validateConfig(raw, { env, file: path });
  const dir = path.slice(0, path.lastIndexOf("/")) || ".";
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  let backup: string | undefined;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(raw, null, 2) + "\n", { mode: 0o600 });
    try {
      await Deno.copyFile(path, `${path}.bak`);
      await Deno.chmod(`${path}.bak`, 0o600);
      backup = `${path}.bak`;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    await Deno.rename(tmp, path);
    return backup ? { backup } : {};
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot write config ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads a dotted path (`gateway.port`, `agents.list.0.id`) from an object. */
export function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of splitPath(dotted)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Returns a copy of `obj` with the dotted path set to `value` (objects created on the way). */
export function setPath(
  obj: Record<string, unknown>,
  dotted: string,
  value: unknown,
): Record<string, unknown> {
  const parts = splitPath(dotted);
  const out = structuredClone(obj);
  let cur: Record<string, unknown> = out;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === undefined || next === null || typeof next !== "object") cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return out;
}

function splitPath(dotted: string): string[] {
  const parts = dotted.split(".").filter((p) => p.length > 0);
  if (parts.length === 0) throw new TypeError(`Invalid config path "${dotted}"`);
  for (const p of parts) {
    if (p === "__proto__" || p === "constructor" || p === "prototype") {
      throw new TypeError(`Invalid config path "${dotted}"`);
    }
  }
  return parts;
}
