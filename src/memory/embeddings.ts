/**
 * Embeddings through an OpenAI-compatible `POST /embeddings` API (OpenAI, Ollama, vLLM, LM Studio…), with
 * the `openai` SDK (loaded on first use). Texts go in batches; a failing endpoint is skipped for a while
 * (cooldowns as for chat models) and the next one in `memory.embedding.fallbacks` is tried. Fallbacks must
 * serve the same model (another endpoint, a proxy): vectors of different models do not mix.
 */
import type { MemoryConfig } from "../config/sections/memory.ts";
import type { ProvidersConfig } from "../config/sections/providers.ts";
import type { Clock } from "../core/clock.ts";
import { classifyError } from "../providers/classify.ts";
import { createCooldowns } from "../providers/cooldowns.ts";
import { ProviderError } from "../providers/types.ts";

export interface Embedder {
  /** Identity of the vector space (primary `provider/model@dimensions`): the embedding cache key. */
  readonly space: string;
  readonly dimensions: number;
  /** One vector per text, in order. Throws ProviderError when every endpoint failed. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

type EmbeddingConfig = NonNullable<MemoryConfig["embedding"]>;

interface Endpoint {
  ref: string;
  model: string;
  call(model: string, input: string[], signal?: AbortSignal): Promise<number[][]>;
}

/** Creates the embedder of `memory.embedding`. Throws TypeError for a provider that is not configured. */
export function createEmbedder(
  deps: { embedding: EmbeddingConfig; providers: ProvidersConfig; clock: Clock },
): Embedder {
  const { embedding } = deps;
  const dims = embedding.dimensions;
  const candidates = [{ provider: embedding.provider, model: embedding.model }, ...embedding.fallbacks];
  const endpoints: Endpoint[] = candidates.map((c) => endpointFor(c, deps.providers, embedding));
  const cooldowns = createCooldowns({ clock: deps.clock });

  const embedBatch = async (batch: string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    let last: ProviderError | undefined;
    const ready = endpoints.filter((e) => cooldowns.remainingMs(e.ref) === 0);
    for (const ep of ready.length ? ready : endpoints) {
      try {
        const vectors = await ep.call(ep.model, batch, signal);
        if (vectors.length !== batch.length) {
          throw new ProviderError(
            "bad_request",
            `${ep.ref}: ${vectors.length} vectors for ${batch.length} texts`,
            {
              provider: ep.ref,
            },
          );
        }
        const out = vectors.map((v) => {
          if (v.length !== dims) {
            throw new ProviderError(
              "bad_request",
              `${ep.ref}: vectors have ${v.length} dimensions, memory.embedding.dimensions is ${dims}`,
              { provider: ep.ref },
            );
          }
          return Float32Array.from(v);
        });
        cooldowns.succeed(ep.ref);
        return out;
      } catch (err) {
        last = classifyError(err, { provider: ep.ref, signal });
        if (last.kind === "aborted") throw last;
        cooldowns.fail(ep.ref, last.retryAfterMs);
      }
    }
    throw last ?? new ProviderError("unknown", "no embedding endpoint", { provider: embedding.provider });
  };

  return {
    space: `${embedding.provider}/${embedding.model}@${dims}`,
    dimensions: dims,
    async embed(texts, signal) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += embedding.batchSize) {
        out.push(...await embedBatch(texts.slice(i, i + embedding.batchSize), signal));
      }
      return out;
    },
  };
}

function endpointFor(
  c: { provider: string; model: string },
  providers: ProvidersConfig,
  embedding: EmbeddingConfig,
): Endpoint {
  const p = providers[c.provider];
  if (!p) throw new TypeError(`memory.embedding: provider "${c.provider}" is not configured in providers`);
  if (p.api === "anthropic" || p.api === "echo") {
    throw new TypeError(`memory.embedding: provider "${c.provider}" (${p.api}) has no embeddings API`);
  }
  let client: Promise<import("openai").OpenAI> | undefined;
  const load = () =>
    client ??= import("../providers/openai_client.ts").then((m) =>
      m.createOpenAIClient({
        id: c.provider,
        apiKey: p.apiKey,
        baseUrl: p.baseUrl,
        headers: p.headers,
        timeoutMs: p.timeoutMs ?? 60_000,
      })
    );
  return {
    ref: `${c.provider}/${c.model}`,
    model: c.model,
    async call(model, input, signal) {
      const res = await (await load()).embeddings.create(
        {
          model,
          input,
          encoding_format: "float",
          ...(embedding.sendDimensions ? { dimensions: embedding.dimensions } : {}),
        },
        { signal },
      );
      return [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    },
  };
}
