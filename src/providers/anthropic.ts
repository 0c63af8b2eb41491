/**
 * Anthropic Messages API provider: streaming text, tool use (input_json_delta), extended thinking (with
 * signatures for tool loops), usage and stop reasons. It speaks the wire format itself through
 * sse_post.ts (the `@anthropic-ai/sdk` types describe it); the model list loads the SDK when first asked.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { classifyError } from "./classify.ts";
import { eventData, eventEndpoint, postForEvents } from "./sse_post.ts";
import { parseToolArguments, streamCutError, throwIfAborted } from "./tool_args.ts";
import type {
  ChatMessage,
  ModelRequest,
  Provider,
  ProviderHttpOptions,
  StopReason,
  StreamEvent,
} from "./types.ts";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
const DEFAULT_MAX_TOKENS = 8192;
/** The Messages API version this adapter speaks (the SDK's default). */
const ANTHROPIC_VERSION = "2023-06-01";

/** Settings of the Anthropic adapter. */
export type AnthropicProviderOptions = ProviderHttpOptions;

type MessageParam = Anthropic.MessageParam;
type BlockParam = Anthropic.ContentBlockParam;
type ImageMime = Anthropic.Base64ImageSource["media_type"];

/**
 * Converts our transcript into Messages API turns: tool results become `tool_result` blocks of a user
 * turn, consecutive user-side entries merge into one turn, assistant turns carry thinking, text and
 * `tool_use` blocks.
 */
export function toAnthropicMessages(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  const userBlocks = (): BlockParam[] => {
    const last = out[out.length - 1];
    if (last && last.role === "user" && Array.isArray(last.content)) return last.content;
    const blocks: BlockParam[] = [];
    out.push({ role: "user", content: blocks });
    return blocks;
  };
  for (const m of messages) {
    if (m.role === "user") {
      if (!m.content && !m.images?.length) continue;
      const blocks = userBlocks();
      for (const img of m.images ?? []) {
        blocks.push({
          type: "image",
          source: { type: "base64", media_type: img.mime as ImageMime, data: img.data },
        });
      }
      if (m.content) blocks.push({ type: "text", text: m.content });
    } else if (m.role === "tool") {
      userBlocks().push({
        type: "tool_result",
        tool_use_id: m.toolCallId,
        // A tool's images go inside its tool_result, after the text.
        content: m.images?.length
          ? [
            { type: "text", text: m.content },
            ...m.images.map((img) => ({
              type: "image" as const,
              source: { type: "base64" as const, media_type: img.mime as ImageMime, data: img.data },
            })),
          ]
          : m.content,
        ...(m.isError ? { is_error: true } : {}),
      });
    } else {
      const blocks: BlockParam[] = [];
      for (const t of m.thinking ?? []) {
        blocks.push({ type: "thinking", thinking: t.text, signature: t.signature });
      }
      if (m.content) blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls ?? []) {
        blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
      }
      if (blocks.length) out.push({ role: "assistant", content: blocks });
    }
  }
  return out;
}

/** Maps an Anthropic `stop_reason`. */
export function mapAnthropicStop(reason: string | null | undefined): StopReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "end";
    case "tool_use":
      return "tool_use";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "max_tokens";
    case "refusal":
      return "refusal";
    default:
      return "other";
  }
}

interface OpenBlock {
  type: string;
  id?: string;
  name?: string;
  json: string;
  signature?: string;
}

/** The request body, built and serialised in one place so no caller frame holds the params meanwhile. */
function messagesBody(request: ModelRequest): string {
  const budget = request.thinkingBudget && request.thinkingBudget >= 1024
    ? request.thinkingBudget
    : undefined;
  let maxTokens = request.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (budget && maxTokens <= budget) maxTokens = budget + DEFAULT_MAX_TOKENS;
  const params: Anthropic.MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: maxTokens,
    messages: toAnthropicMessages(request.messages),
    stream: true,
    ...(request.system ? { system: request.system } : {}),
    ...(budget ? { thinking: { type: "enabled", budget_tokens: budget } } : {}),
    ...(request.tools.length
      ? {
        tools: request.tools.map((t) => ({
          name: t.name,
          description: t.description,
          input_schema: t.parameters as Anthropic.Tool.InputSchema,
        })),
      }
      : {}),
  };
  return JSON.stringify(params);
}

/** Creates an Anthropic Messages provider. */
export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const id = options.id;
  const endpoint = eventEndpoint(options, ANTHROPIC_DEFAULT_BASE_URL, "/v1/messages", {
    ...(options.apiKey ? { "x-api-key": options.apiKey } : {}),
    "anthropic-version": ANTHROPIC_VERSION,
    "content-type": "application/json",
    accept: "application/json",
  });
  let sdk: Promise<Anthropic> | undefined;
  const client = () =>
    sdk ??= import("@anthropic-ai/sdk").then(({ default: Sdk }) =>
      new Sdk({
        apiKey: options.apiKey ?? "",
        baseURL: endpoint.base,
        fetch: endpoint.fetch,
        maxRetries: 0,
        timeout: endpoint.timeoutMs,
        defaultHeaders: options.headers,
        logLevel: "off",
      })
    );

  async function* stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const { signal } = request;
    throwIfAborted(signal, id);
    const blocks = new Map<number, OpenBlock>();
    let inputTokens = 0;
    let outputTokens = 0;
    let stopReason: string | null | undefined;
    let stopped = false;
    try {
      const events = postForEvents({
        ...endpoint,
        body: () => messagesBody(request),
        signal,
        isLast: (e) => e.event === "message_stop",
      });
      for await (const sse of events) {
        const ev = eventData<Anthropic.RawMessageStreamEvent>(sse);
        switch (ev.type) {
          case "message_start": {
            const u = ev.message.usage;
            inputTokens = (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) +
              (u.cache_creation_input_tokens ?? 0);
            outputTokens = u.output_tokens ?? 0;
            break;
          }
          case "content_block_start": {
            const b = ev.content_block;
            const open: OpenBlock = { type: b.type, json: "" };
            if (b.type === "tool_use") Object.assign(open, { id: b.id, name: b.name });
            if (b.type === "text" && b.text) yield { type: "text", delta: b.text };
            blocks.set(ev.index, open);
            break;
          }
          case "content_block_delta": {
            const d = ev.delta;
            const open = blocks.get(ev.index);
            if (d.type === "text_delta") {
              if (d.text) yield { type: "text", delta: d.text };
            } else if (d.type === "thinking_delta") {
              if (d.thinking) yield { type: "thinking", delta: d.thinking };
            } else if (d.type === "signature_delta") {
              if (open) open.signature = d.signature;
            } else if (d.type === "input_json_delta") {
              if (open) open.json += d.partial_json;
            }
            break;
          }
          case "content_block_stop": {
            const open = blocks.get(ev.index);
            if (open?.type === "tool_use") {
              const name = open.name ?? "";
              yield {
                type: "tool_call",
                call: {
                  id: open.id ?? `toolu_${ev.index}`,
                  name,
                  arguments: parseToolArguments(open.json, name, id),
                },
              };
            } else if (open?.type === "thinking" && open.signature) {
              yield { type: "thinking", delta: "", signature: open.signature };
            }
            blocks.delete(ev.index);
            break;
          }
          case "message_delta":
            if (ev.delta.stop_reason) stopReason = ev.delta.stop_reason;
            if (ev.usage?.output_tokens != null) outputTokens = ev.usage.output_tokens;
            if (ev.usage?.input_tokens != null) inputTokens = Math.max(inputTokens, ev.usage.input_tokens);
            break;
          case "message_stop":
            stopped = true;
            break;
        }
      }
    } catch (err) {
      throw classifyError(err, { provider: id, signal });
    }
    throwIfAborted(signal, id);
    if (!stopped) throw streamCutError(id);
    yield { type: "usage", inputTokens, outputTokens };
    yield { type: "stop", reason: mapAnthropicStop(stopReason) };
  }

  return {
    id,
    stream,
    async listModels(signal?: AbortSignal): Promise<string[]> {
      try {
        const out: string[] = [];
        for await (const m of (await client()).models.list({}, { signal })) out.push(m.id);
        return out;
      } catch (err) {
        throw classifyError(err, { provider: id, signal });
      }
    },
  };
}
