/**
 * Builds Provider instances from `config.providers` and resolves an agent's model chain.
 * API keys go to the SDK clients only; they are never logged.
 */
import type { Config } from "../config/schema.ts";
import type { ProviderConfig } from "../config/sections/providers.ts";
import type { Logger } from "../core/logger.ts";
import { createSemaphore } from "../core/semaphore.ts";
import { createEchoProvider } from "./echo.ts";
import type { ModelRequest, Provider, StreamEvent } from "./types.ts";

/** Id of the built-in development provider; its model ref is `echo/echo`. */
export const ECHO_PROVIDER_ID = "echo";

/**
 * Creates one provider from its config entry. The SDK behind it (openai, @anthropic-ai/sdk) is loaded on
 * the provider's first call, so a process or worker that never talks to a provider never loads its SDK.
 * `cfg.maxConcurrent` caps the requests in flight (a request holds its slot until its stream ends); with
 * `share` > 1 threads each holding their own instance, each gets `floor(maxConcurrent / share)` (at
 * least 1), so together they stay within the cap whenever it is at least `share`.
 */
export function createProvider(id: string, cfg: ProviderConfig, share = 1): Provider {
  const provider = createUnlimitedProvider(id, cfg);
  if (cfg.maxConcurrent === undefined) return provider;
  const slots = createSemaphore(Math.max(1, Math.floor(cfg.maxConcurrent / Math.max(1, share))));
  return {
    ...provider,
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      const release = await slots.acquire(request.signal);
      try {
        yield* provider.stream(request);
      } finally {
        release();
      }
    },
  };
}

function createUnlimitedProvider(id: string, cfg: ProviderConfig): Provider {
  if (cfg.api === "echo") return createEchoProvider({ id });
  const common = {
    id,
    apiKey: cfg.apiKey,
    baseUrl: cfg.baseUrl,
    headers: cfg.headers,
    timeoutMs: cfg.timeoutMs,
  };
  let real: Promise<Provider> | undefined;
  const load = () =>
    real ??= (async (): Promise<Provider> => {
      switch (cfg.api) {
        case "openai-chat":
          return (await import("./openai_chat.ts")).createOpenAIChatProvider(common);
        case "openai-responses":
          return (await import("./openai_responses.ts")).createOpenAIResponsesProvider(common);
        case "anthropic":
          return (await import("./anthropic.ts")).createAnthropicProvider(common);
        default:
          throw new TypeError(`Unknown provider api "${cfg.api}"`);
      }
    })();
  return {
    id,
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      yield* (await load()).stream(request);
    },
    async listModels(signal?: AbortSignal) {
      const provider = await load();
      return provider.listModels ? await provider.listModels(signal) : [];
    },
  };
}

/**
 * Builds every configured provider, plus the built-in `echo` one (unless the config defines an `echo`
 * entry of its own). Returns them by id. `concurrencyShare`: how many threads (shard workers) build their
 * own providers from the same config and so split each `maxConcurrent`.
 */
export function createProviders(
  deps: { config: Readonly<Config>; logger: Logger; concurrencyShare?: number },
): Map<string, Provider> {
  const out = new Map<string, Provider>([[ECHO_PROVIDER_ID, createEchoProvider()]]);
  for (const [id, cfg] of Object.entries(deps.config.providers)) {
    out.set(id, createProvider(id, cfg, deps.concurrencyShare));
    deps.logger.debug("provider configured", {
      provider: id,
      api: cfg.api,
      baseUrl: cfg.baseUrl ?? "(default)",
      hasKey: Boolean(cfg.apiKey),
    });
  }
  return out;
}

/**
 * The ordered model refs to try for an agent: its own `model.primary` (else the defaults'), then its
 * fallbacks (else the defaults'), without duplicates. Empty when nothing is configured at all; the
 * runtime then answers with {@link noModelHelp}.
 */
export function resolveModelChain(config: Readonly<Config>, agentId: string): string[] {
  const agent = config.agents.list.find((a) => a.id === agentId);
  const defaults = config.agents.defaults.model;
  const primary = agent?.model?.primary ?? defaults.primary;
  const fallbacks = agent?.model?.fallbacks.length ? agent.model.fallbacks : defaults.fallbacks;
  const chain: string[] = [];
  for (const ref of [primary, ...fallbacks]) {
    if (ref && !chain.includes(ref)) chain.push(ref);
  }
  return chain;
}

/**
 * The reply to send when an agent has no model: how to add a provider, or (when providers exist)
 * how to choose a model.
 */
export function noModelHelp(config: Readonly<Config>): string {
  const ids = Object.keys(config.providers).filter((id) => config.providers[id]?.api !== "echo");
  const lines = ["No model is configured for this agent, so there is nobody to answer yet."];
  if (ids.length) {
    lines.push(
      `Providers configured: ${ids.join(", ")}. Choose a model in ~/.talon/talon.json, e.g.`,
      `  "agents": { "defaults": { "model": { "primary": "${ids[0]}/<model-name>" } } }`,
      "or set TALON_MODEL, e.g. TALON_MODEL=openai/gpt-4.1-mini.",
    );
  } else {
    lines.push(
      "To add one, either set environment variables before starting the gateway:",
      "  OPENAI_API_KEY=… TALON_MODEL=openai/gpt-4.1-mini   (or ANTHROPIC_API_KEY=… TALON_MODEL=anthropic/<model>)",
      "or add a provider to ~/.talon/talon.json:",
      `  "providers": { "openai": { "api": "openai-chat", "apiKey": "\${OPENAI_API_KEY}" } },`,
      `  "agents": { "defaults": { "model": { "primary": "openai/gpt-4.1-mini" } } }`,
      "For a local OpenAI-compatible server (Ollama, vLLM, LM Studio) add a baseUrl,",
      `  e.g. "ollama": { "api": "openai-chat", "baseUrl": "http://127.0.0.1:11434/v1" }.`,
    );
  }
  lines.push(`To try Talon without a key, use the echo dev provider: TALON_MODEL=echo/echo.`);
  return lines.join("\n");
}
