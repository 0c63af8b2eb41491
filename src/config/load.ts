import type { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { type Config, configSchema } from "./schema.ts";
import { MIN_TOKEN_CHARS } from "./sections/gateway.ts";
import { displayPath, resolveHome, type TalonPaths, talonPaths } from "./paths.ts";
import { formatPath, substituteEnv } from "./substitute.ts";
import { checkSkillSecrets } from "./sections/skills.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedConfig {
  /** Validated, defaults applied, env substituted, frozen. */
  config: Readonly<Config>;
  paths: TalonPaths;
  /** False when the file did not exist and defaults were used. */
  fromFile: boolean;
  /** The file's JSON as written (with `${ENV}` references), or {} when there is none. */
  raw: Record<string, unknown>;
}

export interface LoadOptions {
  env: Env;
  /** `--config` flag: an explicit config file. */
  configFile?: string;
}

/**
 * Loads the config: file (or defaults when missing) → `${ENV}` substitution → env overrides → zod
 * validation → frozen. Throws ConfigError naming the file, the key path and what was expected.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const { env } = options;
  const home = resolveHome(env);
  const paths = talonPaths(home, options.configFile);
  const shown = displayPath(paths.configFile, env);
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(paths.configFile);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`Cannot read config ${shown}: ${(err as Error).message}`, { cause: err });
    }
    if (options.configFile) throw new ConfigError(`Cannot read config ${shown}: file not found`);
  }
  const raw = text === undefined ? {} : parseJson(text, shown);
  const config = validateConfig(raw, { env, file: shown, fromFile: text !== undefined });
  return { config, paths, fromFile: text !== undefined, raw };
}

/** Validates a raw config object (as in the file) and applies env substitution and overrides. */
export function validateConfig(
  raw: unknown,
  opts: { env: Env; file: string; fromFile?: boolean },
): Readonly<Config> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`Invalid config ${opts.file}: (root): expected an object`);
  }
  checkSkillSecrets(raw as Record<string, unknown>, opts.file);
  const substituted = substituteEnv(raw, opts.env, opts.file) as Record<string, unknown>;
  // The file is validated on its own first: a flag or env override must not hide a broken file
  // (the service would fail on it once the override is gone).
  const alone = configSchema.safeParse(substituted);
  if (!alone.success) throw new ConfigError(formatIssues(opts.file, alone.error.issues));
  const withEnv = applyEnvOverrides(substituted, opts.env);
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    throw new ConfigError(formatIssues(`${opts.file} with environment overrides`, result.error.issues));
  }
  return deepFreeze(result.data);
}

/** Parses JSON, turning a syntax error into "Cannot read config FILE: line L column C: …". */
export function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new ConfigError(`Invalid config ${file}: (root): expected an object`);
    }
    return value;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = "";
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split("\n").length;
      const column = Number(pos[1]) - before.lastIndexOf("\n");
      where = `line ${line} column ${column}: `;
    }
    const reason = msg.replace(/\s*(in JSON )?at position \d+.*$/, "").replace(/^JSON\.parse: /, "");
    throw new ConfigError(`Cannot read config ${file}: ${where}${reason}`, { cause: err });
  }
}

function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 10).map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      return `${path}: unknown key${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `"${k}"`).join(", ")
      }`;
    }
    return `${path}: ${issue.message.replace(/^Invalid input: /, "")}`;
  });
  const more = issues.length > 10 ? `\n  … and ${issues.length - 10} more` : "";
  return `Invalid config ${file}:\n  ${lines.join("\n  ")}${more}`;
}

/**
 * Env overrides: TALON_PORT, TALON_BIND, TALON_TOKEN; and with no providers configured, the standard
 * OPENAI_* / ANTHROPIC_* variables set up built-in providers and TALON_MODEL the default model.
 */
function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Record<string, unknown> {
  const out = structuredClone(raw);
  const gateway = { ...(out.gateway as Record<string, unknown> ?? {}) };
  if (env.TALON_PORT !== undefined) {
    const port = parsePort(env.TALON_PORT);
    if (port === undefined) {
      throw new ConfigError(
        `Invalid environment variable TALON_PORT: expected a port number 0-65535, got "${env.TALON_PORT}"`,
      );
    }
    gateway.port = port;
  }
  if (env.TALON_BIND) gateway.bind = env.TALON_BIND;
  if (env.TALON_TOKEN) {
    if (env.TALON_TOKEN.length < MIN_TOKEN_CHARS) {
      throw new ConfigError(
        `Invalid environment variable TALON_TOKEN: the gateway token must have at least ${MIN_TOKEN_CHARS} ` +
          `characters, got ${env.TALON_TOKEN.length} (e.g. \`openssl rand -hex 24\`)`,
      );
    }
    gateway.auth = { ...(gateway.auth as object ?? {}), token: env.TALON_TOKEN };
  }
  out.gateway = gateway;

  const providers = { ...(out.providers as Record<string, unknown> ?? {}) };
  if (env.OPENAI_API_KEY && !providers.openai) {
    providers.openai = {
      api: "openai-chat",
      apiKey: env.OPENAI_API_KEY,
      ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}),
    };
  }
  if (env.ANTHROPIC_API_KEY && !providers.anthropic) {
    providers.anthropic = {
      api: "anthropic",
      apiKey: env.ANTHROPIC_API_KEY,
      ...(env.ANTHROPIC_BASE_URL ? { baseUrl: env.ANTHROPIC_BASE_URL } : {}),
    };
  }
  out.providers = providers;
  if (env.TALON_MODEL) {
    const agents = { ...(out.agents as Record<string, unknown> ?? {}) };
    const defaults = { ...(agents.defaults as Record<string, unknown> ?? {}) };
    defaults.model = { ...(defaults.model as object ?? {}), primary: env.TALON_MODEL };
    agents.defaults = defaults;
    out.agents = agents;
  }
  return out;
}

/** A TCP port 0-65535 from text, or undefined. */
export function parsePort(text: string): number | undefined {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
