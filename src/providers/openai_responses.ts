/** OpenAI Responses API provider: streaming events, function calls, reasoning summaries, usage. */
import type OpenAI from "openai";
import { classifyError } from "./classify.ts";
import { createOpenAIClient } from "./openai_client.ts";
import type { OpenAIProviderOptions } from "./openai_options.ts";
import { parseToolArguments, streamCutError, throwIfAborted } from "./tool_args.ts";
import {
  type ChatMessage,
  type ModelRequest,
  type Provider,
  ProviderError,
  type StopReason,
  type StreamEvent,
  type ToolCall,
} from "./types.ts";

type InputItem = OpenAI.Responses.ResponseInputItem;

/** Converts our transcript into Responses API input items. */
export function toResponsesInput(messages: ChatMessage[]): InputItem[] {
  const out: InputItem[] = [];
  for (const m of messages) {
    if (m.role === "user") {
      if (!m.images?.length) out.push({ role: "user", content: m.content });
      else {
        out.push({
          role: "user",
          content: [
            ...(m.content ? [{ type: "input_text" as const, text: m.content }] : []),
            ...m.images.map((img) => ({
              type: "input_image" as const,
              image_url: `data:${img.mime};base64,${img.data}`,
              detail: "auto" as const,
            })),
          ],
        });
      }
    } else if (m.role === "tool") {
      // function_call_output takes a list of input_text / input_image parts: a tool's images go there.
      out.push({
        type: "function_call_output",
        call_id: m.toolCallId,
        output: m.images?.length
          ? [
            { type: "input_text" as const, text: m.content },
            ...m.images.map((img) => ({
              type: "input_image" as const,
              image_url: `data:${img.mime};base64,${img.data}`,
              detail: "auto" as const,
            })),
          ]
          : m.content,
      });
    } else {
      if (m.content) out.push({ role: "assistant", content: m.content });
      for (const c of m.toolCalls ?? []) {
        out.push({
          type: "function_call",
          call_id: c.id,
          name: c.name,
          arguments: JSON.stringify(c.arguments),
        });
      }
    }
  }
  return out;
}

interface PendingCall {
  callId: string;
  name: string;
  args: string;
  done: boolean;
}

/** Creates a Responses API provider. */
export function createOpenAIResponsesProvider(options: OpenAIProviderOptions): Provider {
  const client = createOpenAIClient(options);
  const id = options.id;

  async function* stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const { signal } = request;
    const params: OpenAI.Responses.ResponseCreateParamsStreaming = {
      model: request.model,
      input: toResponsesInput(request.messages),
      stream: true,
      store: false,
      ...(request.system ? { instructions: request.system } : {}),
      ...(request.maxTokens ? { max_output_tokens: request.maxTokens } : {}),
      ...(request.tools.length
        ? {
          tools: request.tools.map((t) => ({
            type: "function" as const,
            name: t.name,
            description: t.description,
            parameters: t.parameters,
            strict: false,
          })),
        }
        : {}),
    };
    const calls = new Map<string, PendingCall>();
    let finished:
      | { status: string; reason?: string | null; usage?: OpenAI.Responses.ResponseUsage | null }
      | undefined;
    let refused = false;
    try {
      const events = await client.responses.create(params, { signal });
      for await (const ev of events) {
        switch (ev.type) {
          case "response.output_text.delta":
            if (ev.delta) yield { type: "text", delta: ev.delta };
            break;
          case "response.refusal.delta":
            refused = true;
            if (ev.delta) yield { type: "text", delta: ev.delta };
            break;
          case "response.reasoning_summary_text.delta":
          case "response.reasoning_text.delta":
            if (ev.delta) yield { type: "thinking", delta: ev.delta };
            break;
          case "response.output_item.added":
            if (ev.item.type === "function_call") {
              calls.set(ev.item.id ?? ev.item.call_id, {
                callId: ev.item.call_id,
                name: ev.item.name,
                args: ev.item.arguments ?? "",
                done: false,
              });
            }
            break;
          case "response.function_call_arguments.delta": {
            const call = calls.get(ev.item_id);
            if (call) call.args += ev.delta;
            break;
          }
          case "response.output_item.done":
            if (ev.item.type === "function_call") {
              const key = ev.item.id ?? ev.item.call_id;
              calls.set(key, {
                callId: ev.item.call_id,
                name: ev.item.name,
                args: ev.item.arguments,
                done: true,
              });
            }
            break;
          case "response.completed":
          case "response.incomplete":
            finished = {
              status: ev.response.status ?? "completed",
              reason: ev.response.incomplete_details?.reason,
              usage: ev.response.usage,
            };
            break;
          case "response.failed": {
            const e = ev.response.error;
            throw Object.assign(new Error(e?.message ?? "response failed"), {
              name: "APIError",
              error: { code: e?.code, message: e?.message },
            });
          }
        }
      }
    } catch (err) {
      throw classifyError(err, { provider: id, signal });
    }
    throwIfAborted(signal, id);
    if (!finished) throw streamCutError(id);
    const parsed: ToolCall[] = [...calls.values()].map((c) => ({
      id: c.callId,
      name: c.name,
      arguments: parseToolArguments(c.args, c.name, id),
    }));
    for (const call of parsed) yield { type: "tool_call", call };
    if (finished.usage) {
      yield {
        type: "usage",
        inputTokens: finished.usage.input_tokens ?? 0,
        outputTokens: finished.usage.output_tokens ?? 0,
      };
    }
    yield {
      type: "stop",
      reason: mapResponsesStop(finished.status, finished.reason, parsed.length > 0, refused),
    };
  }

  return {
    id,
    stream,
    async listModels(signal?: AbortSignal): Promise<string[]> {
      try {
        const out: string[] = [];
        for await (const m of client.models.list({ signal })) out.push(m.id);
        return out;
      } catch (err) {
        throw err instanceof ProviderError ? err : classifyError(err, { provider: id, signal });
      }
    },
  };
}

/** Maps a Responses API final status to a StopReason. */
export function mapResponsesStop(
  status: string,
  reason: string | null | undefined,
  hadToolCalls: boolean,
  refused: boolean,
): StopReason {
  if (status === "incomplete") {
    if (reason === "max_output_tokens") return "max_tokens";
    if (reason === "content_filter") return "refusal";
    return "other";
  }
  if (refused) return "refusal";
  if (hadToolCalls) return "tool_use";
  return status === "completed" ? "end" : "other";
}
