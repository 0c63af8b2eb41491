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
