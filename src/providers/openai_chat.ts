/**
 * OpenAI Chat Completions provider (streaming, tool calls, usage). Works with any OpenAI-compatible
 * endpoint by `baseUrl`: Ollama, vLLM, LM Studio, OpenRouter…
 */
import type OpenAI from "openai";
import { classifyError } from "./classify.ts";
import { OPENAI_DEFAULT_BASE_URL, type OpenAIProviderOptions } from "./openai_options.ts";
import { eventData, eventEndpoint, postForEvents } from "./sse_post.ts";
import { parseToolArguments, streamCutError, throwIfAborted } from "./tool_args.ts";
import type {
  ChatMessage,
  ImageInput,
  ModelRequest,
  Provider,
  StopReason,
  StreamEvent,
  ToolCall,
  ToolSpec,
} from "./types.ts";

type ChatParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const imagePart = (img: ImageInput) => ({
  type: "image_url" as const,
  image_url: { url: `data:${img.mime};base64,${img.data}` },
});

/**
 * Converts our transcript into Chat Completions messages. Tool messages carry text only, so the images
 * of a turn's tool results follow in one user message after the last tool message of that turn, each
 * introduced by a line naming the tool call it came from.
 */
export function toChatMessages(system: string, messages: ChatMessage[]): ChatParam[] {
  const out: ChatParam[] = [];
  if (system) out.push({ role: "system", content: system });
  let toolImages: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [];
  const flushToolImages = () => {
    if (toolImages.length) out.push({ role: "user", content: toolImages });
    toolImages = [];
  };
  for (const m of messages) {
    if (m.role !== "tool") flushToolImages();
    if (m.role === "user") {
      if (!m.images?.length) out.push({ role: "user", content: m.content });
      else {
        out.push({
          role: "user",
          content: [
            ...(m.content ? [{ type: "text" as const, text: m.content }] : []),
            ...m.images.map(imagePart),
          ],
        });
      }
    } else if (m.role === "tool") {
      out.push({ role: "tool", tool_call_id: m.toolCallId, content: m.content });
      if (m.images?.length) {
        const n = m.images.length;
        toolImages.push(
          {
            type: "text",
            text: `[${n} image${n > 1 ? "s" : ""} returned by tool call ${m.toolCallId} (${m.name})]`,
          },
          ...m.images.map(imagePart),
        );
      }
    } else {
      const calls = m.toolCalls ?? [];
      out.push({
        role: "assistant",
        content: m.content || (calls.length ? null : ""),
        ...(calls.length
          ? {
            tool_calls: calls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: JSON.stringify(c.arguments) },
            })),
          }
          : {}),
      });
    }
  }
  flushToolImages();
  return out;
}

function toChatTools(tools: ToolSpec[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** Maps a Chat Completions `finish_reason`. */
export function mapChatFinish(reason: string | null | undefined, hadToolCalls: boolean): StopReason {
  if (reason === "tool_calls" || reason === "function_call" || (hadToolCalls && reason === "stop")) {
    return "tool_use";
  }
  if (reason === "stop") return "end";
  if (reason === "length") return "max_tokens";
  if (reason === "content_filter") return "refusal";
  return "other";
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** The request body, built and serialised in one place so no caller frame holds the params meanwhile. */
function chatBody(request: ModelRequest, officialApi: boolean): string {
  const params: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages: toChatMessages(request.system, request.messages),
    stream: true,
    stream_options: { include_usage: true },
    ...(request.tools.length ? { tools: toChatTools(request.tools) } : {}),
    ...(request.maxTokens
      ? officialApi ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }
      : {}),
  };
  return JSON.stringify(params);
}

/**
 * Creates a Chat Completions provider. It speaks the wire format itself (POST, then server-sent events)
 * instead of going through the `openai` SDK: a request in flight then holds a fetch and one generator
 * instead of the SDK's request machinery (~15 KiB of live objects per request in a shard worker, measured
 * with scripts/profile_heap.ts), and a worker whose providers are all of this API does not load the SDK
 * (5.5 MiB of heap per isolate). The model list still goes through the SDK, loaded when first asked.
 */
export function createOpenAIChatProvider(options: OpenAIProviderOptions): Provider {
  const id = options.id;
  const officialApi = !options.baseUrl || options.baseUrl.includes("api.openai.com");
  const endpoint = eventEndpoint(options, OPENAI_DEFAULT_BASE_URL, "/chat/completions", {
    authorization: `Bearer ${options.apiKey || "no-key"}`,
    "content-type": "application/json",
    accept: "application/json",
  });
  let sdk: Promise<OpenAI> | undefined;
  const client = () => sdk ??= import("./openai_client.ts").then((m) => m.createOpenAIClient(options));

  async function* stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const { signal } = request;
    throwIfAborted(signal, id);
    const calls = new Map<number, PartialCall>();
    let finish: string | null | undefined;
    let usage: { inputTokens: number; outputTokens: number } | undefined;
    try {
      const events = postForEvents({
        ...endpoint,
        body: () => chatBody(request, officialApi),
        signal,
        isLast: (e) => e.data === "[DONE]",
      });
      for await (const sse of events) {
        if (sse.data === "[DONE]") break;
        const chunk = eventData<OpenAI.Chat.Completions.ChatCompletionChunk>(sse);
        if (chunk.usage) {
          usage = {
            inputTokens: chunk.usage.prompt_tokens ?? 0,
            outputTokens: chunk.usage.completion_tokens ?? 0,
          };
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta ?? {};
        if (delta.content) yield { type: "text", delta: delta.content };
        const reasoning = (delta as { reasoning_content?: unknown; reasoning?: unknown }).reasoning_content ??
          (delta as { reasoning?: unknown }).reasoning;
        if (typeof reasoning === "string" && reasoning) yield { type: "thinking", delta: reasoning };
        for (const tc of delta.tool_calls ?? []) {
          const index = tc.index ?? calls.size;
          const call = calls.get(index) ?? { id: "", name: "", args: "" };
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name += tc.function.name;
          if (tc.function?.arguments) call.args += tc.function.arguments;
          calls.set(index, call);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    } catch (err) {
      throw classifyError(err, { provider: id, signal });
    }
    throwIfAborted(signal, id);
    if (!finish) throw streamCutError(id);
    const ordered = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const parsed: ToolCall[] = ordered.map((c, i) => ({
      id: c.id || `call_${i}`,
      name: c.name,
      arguments: parseToolArguments(c.args, c.name, id),
    }));
    for (const call of parsed) yield { type: "tool_call", call };
    if (usage) yield { type: "usage", ...usage };
    yield { type: "stop", reason: mapChatFinish(finish, parsed.length > 0) };
  }

  return {
    id,
    stream,
    async listModels(signal?: AbortSignal): Promise<string[]> {
      try {
        const out: string[] = [];
        for await (const m of (await client()).models.list({ signal })) out.push(m.id);
        return out;
      } catch (err) {
        throw classifyError(err, { provider: id, signal });
      }
    },
  };
}
