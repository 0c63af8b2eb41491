/** Which models a run may use: the session's `/model` override or the agent's chain, then fallbacks. */
import type { Config } from "../config/schema.ts";
import type { AgentConfig } from "../config/sections/agents.ts";
import { parseModelRef } from "../providers/types.ts";

/** The built-in development provider id (answers by echoing; no API key). */
export const ECHO_PROVIDER = "echo";

/** The agent's config entry, or undefined when the id is not configured. */
export function findAgent(config: Pick<Config, "agents">, agentId: string): AgentConfig | undefined {
  return config.agents.list.find((a) => a.id === agentId);
}

/**
 * Ordered model chain: override (if any) → agent primary (else defaults primary) → fallbacks
 * (agent's, else the defaults'), without duplicates. Empty when no model is configured at all.
 */
export function resolveChain(config: Pick<Config, "agents">, agentId: string, override?: string): string[] {
  const agent = findAgent(config, agentId);
  const d = config.agents.defaults.model;
  const primary = agent?.model?.primary ?? d.primary;
  const fallbacks = agent?.model?.fallbacks?.length ? agent.model.fallbacks : d.fallbacks;
  const chain: string[] = [];
  for (const ref of [override, primary, ...fallbacks]) if (ref && !chain.includes(ref)) chain.push(ref);
  return chain;
}

/**
 * Checks a `/model` argument: a `provider/model` ref whose provider is configured (or the echo
 * provider). Returns an error message for the user, or undefined when valid.
 */
export function validateModelRef(config: Pick<Config, "providers">, ref: string): string | undefined {
  let provider: string;
  try {
    provider = parseModelRef(ref).provider;
  } catch (err) {
    return (err as Error).message;
  }
  if (provider === ECHO_PROVIDER || config.providers[provider]) return undefined;
  const known = [...Object.keys(config.providers), ECHO_PROVIDER].join(", ");
  return `Unknown provider "${provider}" in "${ref}". Configured providers: ${known}.`;
}

/** The reply when no model is configured for an agent. */
export function noProviderMessage(agentId: string): string {
  return [
    `No model provider is configured for agent "${agentId}", so there is nobody to answer yet. To add one:`,
    "- set OPENAI_API_KEY (optionally OPENAI_BASE_URL) or ANTHROPIC_API_KEY in the gateway's environment,",
    "  and TALON_MODEL to the model to use, e.g. TALON_MODEL=openai/gpt-4.1-mini;",
    '- or add `providers` to talon.json (e.g. {"openai": {"api": "openai-chat", "apiKey": "${OPENAI_API_KEY}"}})',
    '  and set agents.defaults.model.primary, e.g. "openai/gpt-4.1-mini";',
    "- or, to try Talon without any key, use the development provider: TALON_MODEL=echo/echo (it echoes).",
  ].join("\n");
}

/** What `status` shows about models: the default agent's chain and each provider's state. */
export interface ModelStatus {
  defaultModel: string | null;
  fallbacks: string[];
  providers: { id: string; api: string; key: "set" | "missing" | "not needed"; used: boolean }[];
  /** Models of the default chain whose provider is not configured. */
  unknownProviders: string[];
}

/** The default agent's model chain and the configured providers, for `talon status`. */
export function modelStatus(config: Pick<Config, "agents" | "providers">): ModelStatus {
  const chain = resolveChain(config, config.agents.defaultAgent);
  const providerOf = (ref: string) => ref.slice(0, ref.indexOf("/"));
  const used = new Set(chain.map(providerOf));
  const providers = Object.entries(config.providers).map(([id, p]) => ({
    id,
    api: p.api,
    key: p.api === "echo" || (p.baseUrl && !p.apiKey)
      ? "not needed" as const
      : p.apiKey
      ? "set" as const
      : "missing" as const,
    used: used.has(id),
  }));
  const unknownProviders = chain.filter((ref) => {
    const id = providerOf(ref);
    return id !== ECHO_PROVIDER && !(id in config.providers);
  });
  return { defaultModel: chain[0] ?? null, fallbacks: chain.slice(1), providers, unknownProviders };
}
