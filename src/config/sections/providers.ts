import { z } from "zod";

export const providerSchema = z.strictObject({
  api: z.enum(["openai-chat", "openai-responses", "anthropic", "echo"])
    .describe(
      "Wire API: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, or the echo dev provider.",
    ),
  baseUrl: z.string().url().optional().describe(
    "Endpoint base URL, for OpenAI-compatible servers (Ollama, vLLM…).",
  ),
  apiKey: z.string().optional().describe("API key. Use ${ENV_VAR} rather than a literal."),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().min(1000).optional(),
  maxConcurrent: z.number().int().min(1).optional().describe(
    "Most requests in flight to this provider (rate-limited accounts); split evenly across shard workers.",
  ),
});

export const providersSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), providerSchema)
  .default({})
  .describe("Model providers by id. Models are referred to as <providerId>/<model>.");

export const modelPriceSchema = z.strictObject({
  input: z.number().min(0).describe("USD per million input tokens."),
  output: z.number().min(0).describe("USD per million output tokens."),
});

export const modelsSchema = z.strictObject({
  prices: z.record(z.string(), modelPriceSchema).default({})
    .describe("Price table by model ref (provider/model) for cost estimates and budgets."),
  contextWindows: z.record(z.string(), z.number().int().min(1024)).default({})
    .describe("Context window in tokens by model ref; default 128000."),
  input: z.record(z.string(), z.array(z.enum(["text", "image"]))).default({})
    .describe(
      'Input kinds by model ref; ["text","image"] marks a vision model, which is sent photos as images.',
    ),
}).prefault({});

export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProvidersConfig = z.infer<typeof providersSchema>;
export type ModelsConfig = z.infer<typeof modelsSchema>;

/** True when `models.input[ref]` lists "image". */
export function acceptsImages(models: ModelsConfig, ref: string | undefined): boolean {
  return ref !== undefined && (models.input[ref]?.includes("image") ?? false);
}
