/** Maps OpenClaw's `models.providers` and model refs (`provider/model`, aliases) onto Talon's providers. */
import { isObj, type Obj } from "./types.ts";
import { type MapContext, mapSecret, readModelChain, talonId } from "./openclaw_values.ts";

/** OpenClaw `api` values → Talon provider `api`. */
const API_MAP: Record<string, string> = {
  "openai-completions": "openai-chat",
  "openai-chat": "openai-chat",
  "openai-responses": "openai-responses",
  "anthropic-messages": "anthropic",
  "anthropic": "anthropic",
};

/** Providers OpenClaw knows without config that Talon can reach with an OpenAI/Anthropic wire API. */
const BUILTIN: Record<string, Obj> = {
  openai: { api: "openai-chat", apiKey: "${OPENAI_API_KEY}" },
  anthropic: { api: "anthropic", apiKey: "${ANTHROPIC_API_KEY}" },
  openrouter: {
    api: "openai-chat",
    baseUrl: "https://openrouter.ai/api/v1",
    apiKey: "${OPENROUTER_API_KEY}",
  },
  ollama: { api: "openai-chat", baseUrl: "http://127.0.0.1:11434/v1" },
};

/** The providers and price/context tables built so far, and a resolver for model refs. */
export interface ModelMapper {
  providers: Record<string, Obj>;
  prices: Record<string, { input: number; output: number }>;
  contextWindows: Record<string, number>;
  /** Input kinds by model ref (OpenClaw's per-model `input`, e.g. ["text","image"] for vision). */
  inputs: Record<string, ("text" | "image")[]>;
  /** Maps one OpenClaw model ref to a Talon ref, adding a built-in provider on first use; undefined if not mappable. */
  ref(raw: string, path: string): string | undefined;
  /** Maps a model setting (string or {primary, fallbacks}); undefined when nothing usable is left. */
  chain(value: unknown, path: string): { primary?: string; fallbacks: string[] } | undefined;
}

/** Reads `models.providers` and `agents.defaults.models` (aliases) from an OpenClaw config. */
export function createModelMapper(config: Obj, ctx: MapContext): ModelMapper {
  const providers: Record<string, Obj> = {};
  const prices: Record<string, { input: number; output: number }> = {};
  const contextWindows: Record<string, number> = {};
  const inputs: Record<string, ("text" | "image")[]> = {};
  const unsupported = new Set<string>();
  const idMap = new Map<string, string>();

  const models = isObj(config.models) ? config.models : {};
  const custom = isObj(models.providers) ? models.providers : {};
  for (const [rawId, p] of Object.entries(custom)) {
    const path = `models.providers.${rawId}`;
    const id = talonId(rawId);
    if (!id || !isObj(p)) {
      ctx.unmapped.push({ path, reason: "not a provider object with a usable id" });
      continue;
    }
    const apiRaw = typeof p.api === "string" ? p.api : undefined;
    const api = apiRaw
      ? API_MAP[apiRaw]
      : (typeof p.baseUrl === "string" ? "openai-chat" : BUILTIN[id]?.api as string);
    if (!api) {
      unsupported.add(id);
      ctx.unmapped.push({
        path,
        reason: `api "${
          apiRaw ?? "(none)"
        }" is not supported by Talon (OpenAI Chat/Responses and Anthropic Messages are)`,
      });
      continue;
    }
    if (!apiRaw && typeof p.baseUrl === "string") {
      ctx.warnings.push(`${path}: no "api" given; assumed an OpenAI-compatible Chat Completions endpoint`);
    }
    const out: Obj = { api };
    if (typeof p.baseUrl === "string") out.baseUrl = p.baseUrl;
    else if (BUILTIN[id]?.baseUrl) out.baseUrl = BUILTIN[id]!.baseUrl;
    const key = mapSecret(p.apiKey, `${path}.apiKey`, ctx) ?? (BUILTIN[id]?.apiKey as string | undefined);
    if (key !== undefined) out.apiKey = key;
    if (isObj(p.headers)) {
      const headers: Record<string, string> = {};
      for (const [h, v] of Object.entries(p.headers)) {
        const mapped = /auth|key|token/i.test(h) ? mapSecret(v, `${path}.headers.${h}`, ctx) : v;
        if (typeof mapped === "string") headers[h] = mapped;
      }
      if (Object.keys(headers).length) out.headers = headers;
    }
    for (const m of Array.isArray(p.models) ? p.models : []) {
      if (!isObj(m) || typeof m.id !== "string") continue;
      const ref = `${id}/${m.id}`;
      if (isObj(m.cost) && typeof m.cost.input === "number" && typeof m.cost.output === "number") {
        prices[ref] = { input: m.cost.input, output: m.cost.output };
      }
      if (typeof m.contextWindow === "number" && m.contextWindow >= 1024) {
        contextWindows[ref] = m.contextWindow;
      }
      if (Array.isArray(m.input)) {
        const kinds = m.input.filter((k): k is "text" | "image" => k === "text" || k === "image");
        if (kinds.length) inputs[ref] = kinds;
      }
    }
    for (const k of Object.keys(p)) {
      if (!["api", "baseUrl", "apiKey", "headers", "models", "auth", "authHeader"].includes(k)) {
        ctx.unmapped.push({ path: `${path}.${k}`, reason: "no Talon provider setting for it" });
      }
    }
    providers[id] = out;
    idMap.set(rawId.toLowerCase(), id);
  }

  const aliases = new Map<string, string>();
  const agents = isObj(config.agents) ? config.agents : {};
  const defaults = isObj(agents.defaults) ? agents.defaults : {};
  if (isObj(defaults.models)) {
    for (const [ref, meta] of Object.entries(defaults.models)) {
      if (isObj(meta) && typeof meta.alias === "string") aliases.set(meta.alias.toLowerCase(), ref);
    }
  }

  const ref = (raw: string, path: string): string | undefined => {
    const full = raw.includes("/") ? raw : aliases.get(raw.toLowerCase());
    if (!full) {
      ctx.unmapped.push({ path, reason: `model "${raw}" is neither provider/model nor a known alias` });
      return undefined;
    }
    const slash = full.indexOf("/");
    const rawProvider = full.slice(0, slash).toLowerCase();
    const model = full.slice(slash + 1);
    const provider = idMap.get(rawProvider) ?? talonId(rawProvider);
    if (!provider || unsupported.has(provider)) {
      ctx.unmapped.push({ path, reason: `model "${full}" uses a provider Talon cannot talk to` });
      return undefined;
    }
    if (!providers[provider]) {
      const builtin = BUILTIN[provider];
      if (!builtin) {
        ctx.unmapped.push({
          path,
          reason:
            `model "${full}": provider "${rawProvider}" is built into OpenClaw but not Talon; add it under providers with its baseUrl`,
        });
        return undefined;
      }
      providers[provider] = { ...builtin };
    }
    return `${provider}/${model}`;
  };

  const chain = (value: unknown, path: string) => {
    const raw = readModelChain(value);
    if (!raw) return undefined;
    const primary = raw.primary ? ref(raw.primary, `${path}.primary`) : undefined;
    const fallbacks = raw.fallbacks.map((f, i) => ref(f, `${path}.fallbacks[${i}]`))
      .filter((f): f is string => f !== undefined);
    const first = primary ?? fallbacks.shift();
    if (!first) return undefined;
    return { primary: first, fallbacks };
  };

  return { providers, prices, contextWindows, inputs, ref, chain };
}
