/**
 * A fake OpenAI server on 127.0.0.1:0 speaking the real wire format, for the `openai` SDK:
 * POST /v1/chat/completions (SSE chunks or JSON), POST /v1/responses (SSE events or JSON),
 * GET /v1/models, and errors in OpenAI's JSON shape with status and Retry-After.
 *
 * ```ts
 * const fake = createFakeOpenAI();
 * fake.enqueue({ text: "Hello there" }, { error: { status: 429, headers: { "retry-after": "2" } } });
 * const client = new OpenAI({ baseURL: fake.url, apiKey: "k" });
 * // … fake.requests[0].body is what the SDK sent
 * await fake.close();
 * ```
 * With `fallback: { text: "ok" }` it answers every unscripted request (benchmarks, gateway tests).
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

export interface FakeOpenAIOptions extends FakeServerOptions {
  /** Models listed by GET /v1/models. */
  models?: string[];
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  403: "permission_error",
  404: "invalid_request_error",
  429: "rate_limit_exceeded",
  500: "server_error",
  503: "server_error",
};

/** Builds an OpenAI-shaped error response. */
export function openAIError(err: FakeError): Response {
  const message = err.message ??
    (err.status === 401 ? "Incorrect API key provided." : `fake error with status ${err.status}`);
  const body = err.body ?? {
    error: {
      message,
      type: err.type ?? ERROR_TYPES[err.status] ?? "api_error",
      param: null,
      code: err.code ?? (err.status === 401 ? "invalid_api_key" : null),
    },
  };
  return Response.json(body, { status: err.status, headers: err.headers });
}

const NO_REPLY: FakeReply = {
  error: { status: 500, message: "fake server: no scripted reply for this request" },
};

function usageOf(reply: FakeReply, text: string[]) {
  return reply.usage ?? { input: 10, output: Math.max(1, text.length + (reply.toolCalls?.length ?? 0)) };
}

/** SSE chunks of a Chat Completions stream, exactly in OpenAI's order. */
export function chatChunks(reply: FakeReply, model: string, includeUsage: boolean): string[] {
  const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model };
  const chunk = (delta: unknown, finish: string | null = null) =>
    frame({
      ...base,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const text = splitText(reply.text);
  const out = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const t of text) out.push(chunk({ content: t }));
  (reply.toolCalls ?? []).forEach((call, index) => {
    const id = call.id ?? `call_fake_${index}`;
    out.push(
      chunk({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] }),
    );
    for (const part of fragments(argsText(call), reply.argFragments ?? 3)) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  });
  out.push(chunk({}, reply.finishReason ?? (reply.toolCalls?.length ? "tool_calls" : "stop")));
  if (includeUsage) {
    const u = usageOf(reply, text);
    out.push(frame({
      ...base,
      choices: [],
      usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
    }));
  }
  out.push("data: [DONE]\n\n");
  return out;
}

function chatJson(reply: FakeReply, model: string): Response {
  const text = splitText(reply.text);
  const u = usageOf(reply, text);
  const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_fake_${i}`,
    type: "function",
    function: { name: c.name, arguments: argsText(c) },
  }));
  return Response.json({
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: text.length ? text.join("") : null,
        refusal: null,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: reply.finishReason ?? (toolCalls.length ? "tool_calls" : "stop"),
    }],
    usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
  });
}

/** The final `response` object of the Responses API. */
function responseObject(reply: FakeReply, model: string, status: string, output: unknown[]) {
  const u = usageOf(reply, splitText(reply.text));
  return {
    id: "resp_fake",
    object: "response",
    created_at: 1_700_000_000,
    status,
    model,
    output,
    error: null,
    incomplete_details: status === "incomplete"
      ? { reason: reply.finishReason ?? "max_output_tokens" }
      : null,
    usage: status === "in_progress" ? null : {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: u.input + u.output,
    },
  };
}

/** SSE events of a Responses API stream. */
export function responsesEvents(reply: FakeReply, model: string): { frames: string[]; final: unknown } {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    frame({ type, sequence_number: seq++, ...data }, type);
  const out = [ev("response.created", { response: responseObject(reply, model, "in_progress", []) })];
  const output: unknown[] = [];
  const thinking = splitText(reply.thinking);
  if (thinking.length) {
    const item = { type: "reasoning", id: "rs_fake", summary: [] as unknown[] };
    const output_index = output.length;
    out.push(ev("response.output_item.added", { output_index, item }));
    for (const delta of thinking) {
      out.push(
        ev("response.reasoning_summary_text.delta", {
          item_id: item.id,
          output_index,
          summary_index: 0,
          delta,
        }),
      );
    }
    const done = { ...item, summary: [{ type: "summary_text", text: thinking.join("") }] };
    out.push(ev("response.output_item.done", { output_index, item: done }));
    output.push(done);
  }
  const text = splitText(reply.text);
  if (text.length) {
    const output_index = output.length;
    const item = { type: "message", id: "msg_fake", status: "in_progress", role: "assistant", content: [] };
    out.push(ev("response.output_item.added", { output_index, item }));
    const part = { type: "output_text", text: "", annotations: [] };
    out.push(ev("response.content_part.added", { item_id: item.id, output_index, content_index: 0, part }));
    for (const delta of text) {
      out.push(ev("response.output_text.delta", { item_id: item.id, output_index, content_index: 0, delta }));
    }
    const full = { ...part, text: text.join("") };
    out.push(
      ev("response.output_text.done", { item_id: item.id, output_index, content_index: 0, text: full.text }),
    );
    out.push(
      ev("response.content_part.done", { item_id: item.id, output_index, content_index: 0, part: full }),
    );
    const done = { ...item, status: "completed", content: [full] };
    out.push(ev("response.output_item.done", { output_index, item: done }));
    output.push(done);
  }
  (reply.toolCalls ?? []).forEach((call, i) => {
    const output_index = output.length;
    const args = argsText(call);
    const item = {
      type: "function_call",
      id: `fc_fake_${i}`,
      call_id: call.id ?? `call_fake_${i}`,
      name: call.name,
      arguments: "",
      status: "in_progress",
    };
    out.push(ev("response.output_item.added", { output_index, item }));
    for (const delta of fragments(args, reply.argFragments ?? 3)) {
      out.push(ev("response.function_call_arguments.delta", { item_id: item.id, output_index, delta }));
    }
    out.push(
      ev("response.function_call_arguments.done", { item_id: item.id, output_index, arguments: args }),
    );
    const done = { ...item, arguments: args, status: "completed" };
    out.push(ev("response.output_item.done", { output_index, item: done }));
    output.push(done);
  });
  const incomplete = reply.finishReason === "max_output_tokens" || reply.finishReason === "content_filter";
  const final = responseObject(reply, model, incomplete ? "incomplete" : "completed", output);
  out.push(ev(incomplete ? "response.incomplete" : "response.completed", { response: final }));
  return { frames: out, final };
}

/** Starts the fake OpenAI server. */
export function createFakeOpenAI(options: FakeOpenAIOptions = {}): FakeServer {
  return serveFake(options, (req: FakeRequest, scripted, script) => {
    if (req.method === "GET" && req.path === "/v1/models") {
      if (scripted?.error) return openAIError(scripted.error); // a refused key (options.apiKey)
      const models = options.models ?? ["gpt-fake"];
      return Response.json({
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "fake" })),
      });
    }
    const isChat = req.path === "/v1/chat/completions";
    const isResponses = req.path === "/v1/responses";
    if (req.method !== "POST" || (!isChat && !isResponses)) {
      return openAIError({ status: 404, message: `Unknown path ${req.method} ${req.path}` });
    }
    const reply = scripted ?? NO_REPLY;
    if (reply.error) return openAIError(reply.error);
    const model = String(req.body.model ?? "gpt-fake");
    if (req.body.stream !== true) {
      if (isChat) return chatJson(reply, model);
      return Response.json(responsesEvents(reply, model).final);
    }
    const opts = req.body.stream_options as { include_usage?: boolean } | undefined;
    if (isChat) {
      return sseResponse(
        chatChunks(reply, model, opts?.include_usage === true),
        reply,
        script.live,
        (e) => frame({ error: { message: e.message, type: e.type, param: null, code: e.code ?? null } }),
      );
    }
    return sseResponse(
      responsesEvents(reply, model).frames,
      reply,
      script.live,
      (e) => frame({ type: "error", code: e.code ?? e.type, message: e.message, param: null }, "error"),
    );
  });
}
