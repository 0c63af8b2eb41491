/**
 * The `openai` SDK client with our settings, for what still goes through the SDK: the Responses API,
 * model lists, embeddings and transcription. Chat Completions streams without it (openai_chat.ts), so a
 * shard worker whose providers are all `openai-chat` never loads the SDK.
 */
import OpenAI from "openai";
import { providerFetch } from "./http1_fetch.ts";
import { OPENAI_DEFAULT_BASE_URL, type OpenAIProviderOptions } from "./openai_options.ts";

/** Builds an SDK client with our retry policy (none: failover.ts retries) and no env reads. */
export function createOpenAIClient(options: OpenAIProviderOptions): OpenAI {
  const baseURL = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  return new OpenAI({
    // Keyless local servers (Ollama, vLLM) accept any bearer; the SDK insists on one.
    apiKey: options.apiKey || "no-key",
    baseURL,
    fetch: options.fetch ?? providerFetch(baseURL),
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 600_000,
    defaultHeaders: options.headers,
    logLevel: "off",
  });
}
