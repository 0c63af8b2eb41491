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

/** One model's own settings, `models.<provider/model>`. */
export const modelEntrySchema = z.strictObject({
  input: z.array(z.enum(["text", "image"])).optional().describe(
    'Input kinds the model takes; ["text","image"] marks a vision model (sent photos and tool images as images).',
  ),
});

const TABLE_KEYS = new Set(["prices", "contextWindows", "input"]);

/**
 * `models`: the tables by model ref, plus one entry per model, `models.<provider/model>: {input}`.
 * A loose object (so the tables keep their types) whose other keys are checked here: each must be a model
 * ref holding a valid entry.
 */
export const modelsSchema = z.looseObject({
  prices: z.record(z.string(), modelPriceSchema).default({})
    .describe("Price table by model ref (provider/model) for cost estimates and budgets."),
  contextWindows: z.record(z.string(), z.number().int().min(1024)).default({})
    .describe("Context window in tokens by model ref; default 128000."),
  input: z.record(z.string(), z.array(z.enum(["text", "image"]))).default({})
    .describe("Deprecated: use models.<provider/model>.input. Input kinds by model ref."),
}).superRefine((models, ctx) => {
  for (const [key, value] of Object.entries(models)) {
    if (TABLE_KEYS.has(key)) continue;
    if (!/^[^/]+\/.+$/.test(key)) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `"${key}" is neither prices, contextWindows nor a model ref (provider/model)`,
      });
      continue;
    }
    const entry = modelEntrySchema.safeParse(value);
    for (const issue of entry.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: [key, ...issue.path], message: issue.message });
    }
  }
}).prefault({});

export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProvidersConfig = z.infer<typeof providersSchema>;
export type ModelsConfig = z.infer<typeof modelsSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;

/** The per-model entry `models.<ref>`, when the config has one. */
export function modelEntry(models: ModelsConfig, ref: string): ModelEntry | undefined {
  if (TABLE_KEYS.has(ref)) return undefined;
  return (models as Record<string, unknown>)[ref] as ModelEntry | undefined;
}

/**
 * True when the model takes images: `models.<ref>.input` lists "image" (or, deprecated,
 * `models.input[ref]` does). The per-model entry wins when both are set.
 */
export function acceptsImages(models: ModelsConfig, ref: string | undefined): boolean {
  if (ref === undefined) return false;
  const kinds = modelEntry(models, ref)?.input ?? models.input[ref];
  return kinds?.includes("image") ?? false;
}
