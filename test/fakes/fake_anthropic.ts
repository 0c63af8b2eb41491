/**
 * A fake Anthropic server on 127.0.0.1:0 speaking the real Messages wire format for
 * `@anthropic-ai/sdk`: POST /v1/messages as SSE (message_start, content_block_start/delta/stop with
 * text, thinking + signature and tool_use input_json_delta, message_delta with stop_reason and usage,
 * message_stop) or JSON, GET /v1/models, and errors as `{type:"error", error:{type, message}}`.
 *
 * Give the SDK `fake.origin` as `baseURL` (the SDK adds `/v1`). Scripted like fake_openai.ts.
 */
import {
  argsText,
  type FakeError,
  type FakeReply,
  type FakeRequest,
  type FakeServer,
  type FakeServerOptions,
  fragments,
  frame,
  serveFake,
  splitText,
  sseResponse,
} from "./fake_script.ts";

export type { FakeReply, FakeRequest, FakeServer, FakeServerOptions, FakeToolCall } from "./fake_script.ts";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** Builds an Anthropic-shaped error response. */
export function anthropicError(err: FakeError): Response {
  const body = err.body ?? {
    type: "error",
    error: {
      type: err.type ?? ERROR_TYPES[err.status] ?? "api_error",
      message: err.message ??
        (err.status === 401 ? "invalid x-api-key" : `fake error with status ${err.status}`),
    },
  };
  return Response.json(body, { status: err.status, headers: { "request-id": "req_fake", ...err.headers } });
}

const NO_REPLY: FakeReply = {
  error: { status: 500, message: "fake server: no scripted reply for this request" },
};

interface Block {
  start: Record<string, unknown>;
  deltas: Record<string, unknown>[];
  final: Record<string, unknown>;
}

function blocksOf(reply: FakeReply): Block[] {
  const out: Block[] = [];
  const thinking = splitText(reply.thinking);
  if (thinking.length) {
    const signature = "sig_fake_" + thinking.join("").length;
    out.push({
      start: { type: "thinking", thinking: "", signature: "" },
      deltas: [
        ...thinking.map((t) => ({ type: "thinking_delta", thinking: t })),
        { type: "signature_delta", signature },
      ],
      final: { type: "thinking", thinking: thinking.join(""), signature },
    });
  }
  const text = splitText(reply.text);
  if (text.length) {
    out.push({
      start: { type: "text", text: "" },
      deltas: text.map((t) => ({ type: "text_delta", text: t })),
      final: { type: "text", text: text.join("") },
    });
  }
  (reply.toolCalls ?? []).forEach((call, i) => {
    const id = call.id ?? `toolu_fake_${i}`;
    const json = argsText(call);
    let input: unknown = {};
    try {
      input = JSON.parse(json);
    } catch { /* malformed on purpose */ }
    out.push({
      start: { type: "tool_use", id, name: call.name, input: {} },
      deltas: fragments(json, reply.argFragments ?? 3).map((p) => ({
        type: "input_json_delta",
        partial_json: p,
      })),
      final: { type: "tool_use", id, name: call.name, input },
    });
  });
  return out;
}

function stopReasonOf(reply: FakeReply): string {
  return reply.finishReason ?? (reply.toolCalls?.length ? "tool_use" : "end_turn");
}

function usageOf(reply: FakeReply) {
  return reply.usage ?? { input: 10, output: Math.max(1, splitText(reply.text).length) };
}

function message(reply: FakeReply, model: string, content: unknown[], done: boolean) {
  const u = usageOf(reply);
  return {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: done ? stopReasonOf(reply) : null,
    stop_sequence: null,
    usage: { input_tokens: u.input, output_tokens: done ? u.output : 1 },
  };
}

/** SSE frames of a Messages stream, in Anthropic's order. */
export function messageEvents(reply: FakeReply, model: string): string[] {
  const ev = (type: string, data: Record<string, unknown>) => frame({ type, ...data }, type);
  const out = [ev("message_start", { message: message(reply, model, [], false) }), ev("ping", {})];
  blocksOf(reply).forEach((b, index) => {
    out.push(ev("content_block_start", { index, content_block: b.start }));
    for (const delta of b.deltas) out.push(ev("content_block_delta", { index, delta }));
    out.push(ev("content_block_stop", { index }));
  });
  out.push(ev("message_delta", {
    delta: { stop_reason: stopReasonOf(reply), stop_sequence: null },
    usage: { output_tokens: usageOf(reply).output },
  }));
  out.push(ev("message_stop", {}));
  return out;
}

/** Starts the fake Anthropic server. */
export function createFakeAnthropic(options: FakeServerOptions & { models?: string[] } = {}): FakeServer {
  return serveFake(options, (req: FakeRequest, scripted, script) => {
    if (req.method === "GET" && req.path === "/v1/models") {
      if (scripted?.error) return anthropicError(scripted.error); // a refused key (options.apiKey)
      const models = options.models ?? ["claude-fake"];
      return Response.json({
        data: models.map((id) => ({
          id,
          type: "model",
          display_name: id,
          created_at: "2025-01-01T00:00:00Z",
        })),
        has_more: false,
        first_id: models[0] ?? null,
        last_id: models[models.length - 1] ?? null,
      });
    }
    if (req.method !== "POST" || req.path !== "/v1/messages") {
      return anthropicError({ status: 404, message: `Unknown path ${req.method} ${req.path}` });
    }
    const reply = scripted ?? NO_REPLY;
    if (reply.error) return anthropicError(reply.error);
    const model = String(req.body.model ?? "claude-fake");
    if (req.body.stream !== true) {
      return Response.json(message(reply, model, blocksOf(reply).map((b) => b.final), true));
    }
    return sseResponse(
      messageEvents(reply, model),
      reply,
      script.live,
      (e) => frame({ type: "error", error: { type: e.type, message: e.message } }, "error"),
    );
  });
}
