/**
 * `talon onboard`: turns the answers of the wizard (or the flags) into a checked, merged talon.json.
 * Every probe runs before anything is written: a refused key or token leaves the state dir untouched.
 * Re-running edits the existing file (other keys stay) and keeps the gateway token.
 */
import { type Env, parseJson, validateConfig } from "../config/load.ts";
import { writeConfigFile } from "../config/write.ts";
import { DEFAULT_PORT } from "../config/sections/gateway.ts";
import { ConfigError } from "../core/errors.ts";
import { randomToken } from "../core/ids.ts";
import { probeDiscord, probeProvider, type ProbeResult, probeTelegram } from "./onboard_probe.ts";

export type ProviderKind = "openai" | "anthropic" | "compatible" | "ollama";

/** A secret named by an environment variable. `persist` writes it to talon.env (it was pasted, not set). */
export interface SecretRef {
  env: string;
  value: string;
  persist?: boolean;
}

export interface ProviderAnswer {
  kind: ProviderKind;
  /** Provider id in talon.json; defaults per kind (openai, anthropic, local, ollama). */
  id?: string;
  apiKey?: SecretRef;
  baseUrl?: string;
  /** Model ref `<providerId>/<model>` or a bare model name. */
  model: string;
}

/** Everything the wizard asks. */
export interface OnboardAnswers {
  provider?: ProviderAnswer;
  telegram?: SecretRef;
  discord?: SecretRef;
  /** The owner's sender ids per channel (`channels.<ch>.accounts.default.owners`). */
  owners?: { telegram?: string[]; discord?: string[]; whatsapp?: string[] };
  /** Add WhatsApp as a linked device (`channels.whatsapp.accounts.default`, mode web); link it afterwards. */
  whatsapp?: boolean;
  installService?: boolean;
}

/** Splits "1, 2 3" into sender ids; refuses `*` and `@usernames` (owners are exact ids). */
export function parseOwnerIds(text: string): string[] {
  const ids = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (id === "*" || id.startsWith("@")) {
      throw new TypeError(`Owner "${id}": give the numeric sender id, not a wildcard or @username`);
    }
  }
  return ids;
}

export interface StepEvent {
  step: string;
  status: "start" | "ok" | "fail" | "skip";
  detail?: string;
}

export interface OnboardDeps {
  env: Env;
  configFile: string;
  tokenFile: string;
  /** KEY=value file for pasted secrets (the service's EnvironmentFile). */
  envFile: string;
  telegramApiRoot?: string;
  discordApiRoot?: string;
  /** Installs and starts the service; returns a line for the user. */
  installService?: () => Promise<string>;
  progress(event: StepEvent): void;
}

export interface OnboardResult {
  ok: boolean;
  /** Why it stopped (empty when ok). */
  failures: string[];
  written: boolean;
  tokenSource?: "config" | "env" | "file" | "generated";
  controlUiUrl?: string;
}

const DEFAULT_IDS: Record<ProviderKind, string> = {
  openai: "openai",
  anthropic: "anthropic",
  compatible: "local",
  ollama: "ollama",
};

export const DEFAULT_MODELS: Partial<Record<ProviderKind, string>> = {
  openai: "gpt-4.1-mini",
  anthropic: "claude-sonnet-4-5",
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks an env var name and reads its value; throws TypeError naming the variable. */
export function secretFromEnv(name: string, env: Env, what: string): SecretRef {
  if (!ENV_NAME.test(name)) throw new TypeError(`${what}: "${name}" is not an environment variable name`);
  const value = env[name];
  if (!value) throw new TypeError(`${what}: environment variable ${name} is not set`);
  return { env: name, value };
}

/** The provider id an answer writes to. */
export function providerId(p: ProviderAnswer): string {
  return p.id ?? DEFAULT_IDS[p.kind];
}

/** `gpt-4.1` → `openai/gpt-4.1`; a ref that already starts with the provider id is kept. */
export function modelRef(p: ProviderAnswer): string {
  const id = providerId(p);
  return p.model.startsWith(`${id}/`) ? p.model : `${id}/${p.model}`;
}

/** Merges the answers into a raw config (as in the file), keeping every key the answers do not set. */
export function mergeOnboardConfig(raw: Record<string, unknown>, a: OnboardAnswers): Record<string, unknown> {
  const out = structuredClone(raw);
  const obj = (parent: Record<string, unknown>, key: string) => {
    const v = parent[key];
    if (!v || typeof v !== "object" || Array.isArray(v)) parent[key] = {};
    return parent[key] as Record<string, unknown>;
  };
  if (a.provider) {
    const p = a.provider;
    const id = providerId(p);
    const providers = obj(out, "providers");
    const entry: Record<string, unknown> = { ...(providers[id] as object ?? {}) };
    entry.api = p.kind === "anthropic" ? "anthropic" : "openai-chat";
    if (p.baseUrl) entry.baseUrl = p.baseUrl;
    else delete entry.baseUrl;
    if (p.apiKey) entry.apiKey = `\${${p.apiKey.env}}`;
    else delete entry.apiKey;
    providers[id] = entry;
    const model = obj(obj(obj(out, "agents"), "defaults"), "model");
    model.primary = modelRef(p);
  }
  for (const channel of ["telegram", "discord"] as const) {
    const secret = a[channel];
    if (!secret) continue;
    const accounts = obj(obj(obj(out, "channels"), channel), "accounts");
    accounts.default = { ...(accounts.default as object ?? {}), botToken: `\${${secret.env}}` };
  }
  if (a.whatsapp) {
    const accounts = obj(obj(obj(out, "channels"), "whatsapp"), "accounts");
    accounts.default = { mode: "web", ...(accounts.default as object ?? {}) };
  }
  for (const channel of ["telegram", "discord", "whatsapp"] as const) {
    const owners = a.owners?.[channel];
    if (!owners?.length) continue;
    const accounts = obj(obj(obj(out, "channels"), channel), "accounts");
    accounts.default = { ...(accounts.default as object ?? {}), owners };
  }
  return out;
}

/** Runs the onboarding: probes, then writes config, token and (optionally) the service. */
export async function runOnboard(answers: OnboardAnswers, deps: OnboardDeps): Promise<OnboardResult> {
  const failures: string[] = [];
  const step = async (name: string, fn: () => Promise<ProbeResult>) => {
    deps.progress({ step: name, status: "start" });
    const r = await fn();
    if (r.ok) deps.progress({ step: name, status: "ok", detail: r.detail });
    else {
      deps.progress({ step: name, status: "fail", detail: r.reason });
      failures.push(`${name}: ${r.reason}`);
    }
    return r;
  };

  let raw: Record<string, unknown> = {};
  const read = await step("Read existing config", async () => {
    try {
      raw = parseJson(await Deno.readTextFile(deps.configFile), deps.configFile);
      return { ok: true, detail: `editing ${deps.configFile}` };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return { ok: true, detail: "none yet; creating one" };
      return {
        ok: false,
        reason: `${(err as Error).message} (fix or move it; onboard will not overwrite it)`,
      };
    }
  });
  if (!read.ok) return { ok: false, failures, written: false };

  const p = answers.provider;
  if (p) {
    await step(`Test ${providerId(p)} (${p.kind})`, async () => {
      const r = await probeProvider({
        api: p.kind === "anthropic" ? "anthropic" : "openai",
        apiKey: p.apiKey?.value,
        baseUrl: p.baseUrl,
        model: modelRef(p).slice(providerId(p).length + 1),
      });
      const name = modelRef(p).slice(providerId(p).length + 1);
      if (r.ok && r.models && r.models.length > 0 && !r.models.includes(name)) {
        return { ok: true, detail: `${r.detail}; note: "${name}" is not in its model list` };
      }
      return r;
    });
  } else {
    const has = Object.keys((raw.providers as object | undefined) ?? {}).length > 0;
    deps.progress({
      step: "Model provider",
      status: "skip",
      detail: has
        ? "unchanged"
        : "none configured yet: pass --provider, or start Ollama and run onboard again",
    });
  }
  if (answers.telegram) {
    const t = answers.telegram;
    await step("Validate Telegram token", () => probeTelegram(t.value, deps.telegramApiRoot));
  }
  if (answers.discord) {
    const d = answers.discord;
    await step("Validate Discord token", () => probeDiscord(d.value, deps.discordApiRoot));
  }

  const merged = mergeOnboardConfig(raw, answers);
  const secretEnv: Record<string, string> = {};
  for (const s of [answers.provider?.apiKey, answers.telegram, answers.discord]) {
    if (s) secretEnv[s.env] = s.value;
  }
  const env = { ...deps.env, ...secretEnv };
  let config;
  try {
    config = validateConfig(merged, { env, file: deps.configFile });
  } catch (err) {
    failures.push(`Check config: ${(err as Error).message}`);
    deps.progress({ step: "Check config", status: "fail", detail: (err as Error).message });
  }
  if (failures.length > 0 || !config) return { ok: false, failures, written: false };

  deps.progress({ step: "Write config", status: "start" });
  const persisted = [answers.provider?.apiKey, answers.telegram, answers.discord].filter((s) => s?.persist);
  if (persisted.length > 0) {
    await upsertEnvFile(deps.envFile, Object.fromEntries(persisted.map((s) => [s!.env, s!.value])));
  }
  try {
    await writeConfigFile(deps.configFile, merged, env);
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : String(err);
    deps.progress({ step: "Write config", status: "fail", detail: msg });
    return { ok: false, failures: [`Write config: ${msg}`], written: false };
  }
  deps.progress({
    step: "Write config",
    status: "ok",
    detail: deps.configFile + (persisted.length ? ` (secrets in ${deps.envFile})` : ""),
  });

  deps.progress({ step: "Gateway token", status: "start" });
  const tokenSource = await ensureTokenFile(deps.tokenFile, typeof getAuthToken(merged) === "string", env);
  deps.progress({
    step: "Gateway token",
    status: "ok",
    detail: tokenSource === "generated"
      ? `generated in ${deps.tokenFile} (0600)`
      : tokenSource === "file"
      ? `kept ${deps.tokenFile}`
      : tokenSource === "env"
      ? "TALON_TOKEN from the environment"
      : "gateway.auth.token in the config",
  });

  if (answers.installService) {
    if (!deps.installService) throw new TypeError("installService requested without an installer");
    deps.progress({ step: "Install service", status: "start" });
    try {
      deps.progress({ step: "Install service", status: "ok", detail: await deps.installService() });
    } catch (err) {
      const msg = (err as Error).message;
      deps.progress({ step: "Install service", status: "fail", detail: msg });
      return { ok: false, failures: [`Install service: ${msg}`], written: true, tokenSource };
    }
  }
  return { ok: true, failures: [], written: true, tokenSource, controlUiUrl: controlUiUrl(config.gateway) };
}

function getAuthToken(raw: Record<string, unknown>): unknown {
  const gw = raw.gateway as { auth?: { token?: unknown } } | undefined;
  return gw?.auth?.token;
}

/** Keeps the configured or existing token; otherwise writes a new one to the token file (0600). */
export async function ensureTokenFile(
  tokenFile: string,
  inConfig: boolean,
  env: Env,
): Promise<"config" | "env" | "file" | "generated"> {
  if (inConfig) return "config";
  if (env.TALON_TOKEN) return "env";
  try {
    if ((await Deno.readTextFile(tokenFile)).trim()) return "file";
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(tokenFile.slice(0, tokenFile.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(tokenFile, randomToken(32) + "\n", { mode: 0o600 });
  await Deno.chmod(tokenFile, 0o600);
  return "generated";
}

/** Sets KEY=value lines in an env file (0600), keeping the other lines. */
export async function upsertEnvFile(path: string, values: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    if (!ENV_NAME.test(k) || /[\r\n]/.test(v)) throw new TypeError(`Cannot store ${k} in ${path}`);
  }
  let lines: string[] = [];
  try {
    lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.length > 0);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const keep = lines.filter((l) => !(l.split("=")[0]!.trim() in values));
  const text = [...keep, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join("\n") + "\n";
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

/** The Control UI address for a gateway section (0.0.0.0 is reached through loopback). */
export function controlUiUrl(gw: { bind: string; port: number }): string {
  const host = gw.bind === "0.0.0.0" || gw.bind === "::" ? "127.0.0.1" : gw.bind;
  const shown = host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${gw.port || DEFAULT_PORT}/`;
}
