/** Settings of the OpenAI adapters, apart from the SDK so that importing them loads no SDK. */
import type { ProviderHttpOptions } from "./types.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** Settings shared by the OpenAI adapters. */
export type OpenAIProviderOptions = ProviderHttpOptions;
