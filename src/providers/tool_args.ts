/** Parsing of the JSON arguments a model sends for a tool call. */
import { ProviderError } from "./types.ts";

/**
 * Parses a tool call's argument text into an object. An empty string means "no arguments". Anything
 * that is not a JSON object throws a ProviderError of kind `unknown` naming the tool.
 */
export function parseToolArguments(text: string, tool: string, provider: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProviderError(
      "unknown",
      `${provider}: model sent malformed JSON arguments for tool "${tool}": ${(err as Error).message}`,
      { provider, cause: err, details: { tool } },
    );
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ProviderError(
      "unknown",
      `${provider}: model sent arguments for tool "${tool}" that are not a JSON object`,
      { provider, details: { tool } },
    );
  }
  return value as Record<string, unknown>;
}

/** Builds the error thrown when a stream ends before the provider said it was complete. */
export function streamCutError(provider: string): ProviderError {
  return new ProviderError("network", `${provider}: stream ended before the response was complete`, {
    provider,
  });
}

/** Throws the right error after an SDK stream stopped because the signal was aborted. */
export function throwIfAborted(signal: AbortSignal, provider: string): void {
  if (!signal.aborted) return;
  if (signal.reason instanceof ProviderError) throw signal.reason;
  throw new ProviderError("aborted", `${provider}: request aborted`, { provider, cause: signal.reason });
}
