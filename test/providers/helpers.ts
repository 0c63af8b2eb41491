/** Small helpers shared by the provider tests. */
import type { ModelRequest, StreamEvent } from "../../src/providers/types.ts";
import { ProviderError } from "../../src/providers/types.ts";

/** Drains a stream; returns the events seen and the error it ended with (if any). */
export async function collect(
  stream: AsyncIterable<StreamEvent>,
): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const ev of stream) events.push(ev);
    return { events };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    return { events, error: err };
  }
}

/** The concatenated text deltas. */
export function textOf(events: StreamEvent[]): string {
  return events.map((e) => (e.type === "text" ? e.delta : "")).join("");
}

/** A minimal request. */
export function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: "test-model",
    system: "You are terse.",
    messages: [{ role: "user", content: "Say hello" }],
    tools: [],
    signal: new AbortController().signal,
    ...overrides,
  };
}

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/**
 * The modules `path` (relative to this file) loads when imported, from `deno info --json`: its static code
 * imports, followed transitively (type-only and dynamic imports are not followed); `all` is the whole graph.
 */
export async function staticGraph(path: string): Promise<{ loaded: string[]; all: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(path, import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[] }[];
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const loaded = new Set<string>();
  const visit = (specifier: string) => {
    if (loaded.has(specifier)) return;
    loaded.add(specifier);
    for (const d of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) visit(d.code.specifier);
    }
  };
  graph.roots.forEach(visit);
  if (loaded.size < 3) throw new Error(`the walk found only ${[...loaded].join(", ")}`);
  return { loaded: [...loaded], all: graph.modules.map((m) => m.specifier) };
}
