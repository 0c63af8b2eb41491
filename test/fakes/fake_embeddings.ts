/**
 * A fake OpenAI-compatible embeddings server (`POST /v1/embeddings`) on 127.0.0.1:0 with deterministic
 * vectors that know a few synonyms, so "automobile" lands near "car": every word is mapped to a concept
 * (its synonym group, else itself) and hashed into a few dimensions; the vector is normalised.
 *
 * ```ts
 * const fake = createFakeEmbeddings();
 * fake.failNext(503);             // the next request answers 503
 * // providers: { emb: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } }
 * await fake.close();
 * ```
 */

const SYNONYMS: Record<string, string> = {
  automobile: "car",
  vehicle: "car",
  motorcar: "car",
  auto: "car",
  mechanic: "repair",
  fix: "repair",
  fixing: "repair",
  fixed: "repair",
  garage: "repair",
  physician: "doctor",
  dentist: "doctor",
  appointment: "visit",
  checkup: "visit",
  pooch: "dog",
  puppy: "dog",
  canine: "dog",
  feline: "cat",
  kitten: "cat",
  birthday: "celebration",
  anniversary: "celebration",
  party: "celebration",
  spouse: "partner",
  wife: "partner",
  husband: "partner",
};

const STOP = new Set([
  "the",
  "a",
  "an",
  "of",
  "to",
  "and",
  "is",
  "my",
  "i",
  "in",
  "on",
  "for",
  "at",
  "what",
  "when",
  "with",
]);

function hash(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The deterministic vector of `text` in `dims` dimensions (unit length; all zeros for no words). */
export function fakeEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  for (const w of words) {
    if (STOP.has(w)) continue;
    const stem = w.length > 4 ? w.replace(/(ing|ed|es|s)$/, "") : w;
    const concept = SYNONYMS[w] ?? SYNONYMS[stem] ?? stem;
    for (let k = 0; k < 3; k++) {
      const h = hash(concept, k);
      v[h % dims]! += (h & 0x100) ? 1 : -1;
    }
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export interface FakeEmbeddingsServer {
  url: string;
  /** Every request body received, in order. */
  requests: { model: string; input: string[]; dimensions?: number }[];
  /** The next `times` requests answer with HTTP `status`. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

/** Starts the fake. `dims` is used when a request does not send `dimensions`. */
export function createFakeEmbeddings(opts: { dims?: number } = {}): FakeEmbeddingsServer {
  const requests: FakeEmbeddingsServer["requests"] = [];
  let failures: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || path !== "/v1/embeddings") return new Response("not found", { status: 404 });
    const body = await req.json() as { model: string; input: string | string[]; dimensions?: number };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    requests.push({ model: body.model, input, dimensions: body.dimensions });
    const status = failures.shift();
    if (status) {
      return Response.json({ error: { message: `fake failure ${status}`, type: "server_error" } }, {
        status,
      });
    }
    const dims = body.dimensions ?? opts.dims ?? 64;
    return Response.json({
      object: "list",
      model: body.model,
      data: input.map((t, index) => ({ object: "embedding", index, embedding: fakeEmbedding(t, dims) })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    failNext(status, times = 1) {
      failures = [...failures, ...new Array(times).fill(status)];
    },
    close: () => server.shutdown(),
  };
}
