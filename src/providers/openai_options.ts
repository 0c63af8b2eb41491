/** Settings of the OpenAI adapters, apart from the SDK so that importing them loads no SDK. */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** Settings shared by the OpenAI adapters. */
export interface OpenAIProviderOptions {
  id: string;
  apiKey?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
  /** Per-request timeout until the response head (the SDK's `timeout`); default 600,000 ms. */
  timeoutMs?: number;
  /** The HTTP transport (default: providerFetch's lean fetch for `http:` URLs, else the global fetch). */
  fetch?: typeof fetch;
}
