/**
 * The one streaming interface every model provider implements (OpenAI Chat, OpenAI Responses,
 * Anthropic Messages, echo). The agent runtime only sees these types.
 */
import { TalonError, type TalonErrorOptions } from "../core/errors.ts";

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments. */
  arguments: Record<string, unknown>;
}

/** An image given to a vision-capable model with a user message or a tool result. `data` is base64. */
export interface ImageInput {
  mime: string;
  data: string;
}

export type ChatMessage =
  | { role: "user"; content: string; images?: ImageInput[] }
  | {
    role: "assistant";
    content: string;
    toolCalls?: ToolCall[];
    /** Signed thinking blocks (Anthropic) to hand back unchanged on the next call of a tool loop. */
    thinking?: ThinkingBlock[];
  }
  | {
    role: "tool";
    toolCallId: string;
    name: string;
    content: string;
    isError?: boolean;
    /** Images the tool returned, for a vision-capable model (each API carries them its own way). */
    images?: ImageInput[];
  };

/** A model's thinking as returned by Anthropic; `signature` proves it came from the model. */
export interface ThinkingBlock {
  text: string;
  signature: string;
}

/** A tool as offered to the model. `parameters` is JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  /** Model name within the provider, e.g. `gpt-4.1-mini` (not the `provider/` ref). */
  model: string;
  system: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  /** Extended thinking budget (Anthropic); ignored where unsupported. */
  thinkingBudget?: number;
  signal: AbortSignal;
}

export type StopReason = "end" | "tool_use" | "max_tokens" | "refusal" | "other";

/** What a provider stream yields, in order. Exactly one `stop` ends a successful stream. */
export type StreamEvent =
  | { type: "text"; delta: string }
  /** Thinking text. A final event of a block may carry `signature` (Anthropic) with an empty delta. */
  | { type: "thinking"; delta: string; signature?: string }
  | { type: "tool_call"; call: ToolCall }
  | { type: "usage"; inputTokens: number; outputTokens: number }
  | { type: "stop"; reason: StopReason };

/** How a provider adapter reaches its API (config `providers.<id>` plus the transport). */
export interface ProviderHttpOptions {
  id: string;
  apiKey?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
  /** Per-request timeout until the response head; default 600,000 ms. */
  timeoutMs?: number;
  /** The HTTP transport (default: providerFetch's lean fetch for `http:` URLs, else the global fetch). */
  fetch?: typeof fetch;
}

export interface Provider {
  readonly id: string;
  /** Streams one model call. Throws ProviderError (classified) on failure. */
  stream(request: ModelRequest): AsyncIterable<StreamEvent>;
  /** Models this provider offers, when it can list them. */
  listModels?(signal?: AbortSignal): Promise<string[]>;
}

/** Why a provider call failed; decides retry and failover. */
export type ProviderErrorKind =
  | "auth"
  | "rate_limit"
  | "overload"
  | "timeout"
  | "network"
  | "bad_request"
  | "context_overflow"
  | "aborted"
  | "unknown";

/** The provider answered "no" or could not be reached; `kind` says which. */
export class ProviderError extends TalonError {
  override name = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly provider: string;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: TalonErrorOptions & { status?: number; provider: string },
  ) {
    super(kind === "aborted" ? "ABORTED" : "PROVIDER_ERROR", message, {
      ...options,
      retryable: ["rate_limit", "overload", "timeout", "network"].includes(kind),
    });
    this.kind = kind;
    this.status = options.status;
    this.provider = options.provider;
  }
}

/** Splits `provider/model` (the model part may itself contain `/`). Throws TypeError when malformed. */
export function parseModelRef(ref: string): { provider: string; model: string } {
  const i = ref.indexOf("/");
  if (i <= 0 || i === ref.length - 1) {
    throw new TypeError(`Invalid model ref "${ref}": expected provider/model, e.g. openai/gpt-4.1-mini`);
  }
  return { provider: ref.slice(0, i), model: ref.slice(i + 1) };
}
