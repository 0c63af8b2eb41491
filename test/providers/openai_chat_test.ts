import assert from "node:assert/strict";
import { createOpenAIChatProvider } from "../../src/providers/openai_chat.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { collect, request, textOf, WEATHER_TOOL } from "./helpers.ts";

function setup(opts: { apiKey?: string; key?: string } = {}) {
  const fake = createFakeOpenAI({ apiKey: opts.apiKey });
  const provider = createOpenAIChatProvider({
    id: "oai",
    baseUrl: fake.url,
    apiKey: opts.key ?? "sk-test-key",
  });
  return { fake, provider };
}

Deno.test("openai chat: streams text deltas in order, then usage and stop", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: ["Hel", "lo ", "there", "!"], usage: { input: 42, output: 7 } });
    const { events, error } = await collect(provider.stream(request()));
    assert.equal(error, undefined);
    assert.deepEqual(events, [
      { type: "text", delta: "Hel" },
      { type: "text", delta: "lo " },
      { type: "text", delta: "there" },
      { type: "text", delta: "!" },
      { type: "usage", inputTokens: 42, outputTokens: 7 },
      { type: "stop", reason: "end" },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: sends system, history with tool calls/results, tools and include_usage", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "ok" });
    await collect(provider.stream(request({
      model: "gpt-x",
      maxTokens: 100,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "c1", name: "get_weather", arguments: { city: "Oslo" } }],
        },
        { role: "tool", toolCallId: "c1", name: "get_weather", content: "sunny" },
      ],
    })));
    const body = fake.requests[0]!.body;
    assert.equal(fake.requests[0]!.headers.authorization, "Bearer sk-test-key");
    assert.equal(body.model, "gpt-x");
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_tokens, 100, "a custom baseUrl gets the widely supported max_tokens");
    assert.deepEqual(body.messages, [
      { role: "system", content: "You are terse." },
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "c1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
        }],
      },
      { role: "tool", tool_call_id: "c1", content: "sunny" },
    ]);
    assert.deepEqual(body.tools, [{
      type: "function",
      function: {
        name: WEATHER_TOOL.name,
        description: WEATHER_TOOL.description,
        parameters: WEATHER_TOOL.parameters,
      },
    }]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: assembles parallel tool calls from argument fragments", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      text: "Checking.",
      argFragments: 5,
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: { city: "Oslo", units: "metric" } },
        { id: "call_b", name: "get_weather", arguments: { city: "Lima" } },
      ],
    });
    const { events, error } = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.equal(error, undefined);
    assert.equal(textOf(events), "Checking.");
    const calls = events.filter((e) => e.type === "tool_call").map((e) => e.type === "tool_call" && e.call);
    assert.deepEqual(calls, [
      { id: "call_a", name: "get_weather", arguments: { city: "Oslo", units: "metric" } },
      { id: "call_b", name: "get_weather", arguments: { city: "Lima" } },
    ]);
    assert.deepEqual(events.at(-1), { type: "stop", reason: "tool_use" });
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: malformed tool arguments become an error", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: '{"city": "Os' }] });
    const { error } = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.equal(error?.kind, "unknown");
    assert.match(error!.message, /malformed JSON arguments for tool "get_weather"/);
    fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: "[1,2]" }] });
    const second = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.match(second.error!.message, /not a JSON object/);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: maps finish reasons", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "cut", finishReason: "length" }, { text: "no", finishReason: "content_filter" });
    assert.deepEqual((await collect(provider.stream(request()))).events.at(-1), {
      type: "stop",
      reason: "max_tokens",
    });
    assert.deepEqual((await collect(provider.stream(request()))).events.at(-1), {
      type: "stop",
      reason: "refusal",
    });
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: classifies HTTP errors from the real SDK", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue(
      { error: { status: 429, headers: { "retry-after": "3" }, message: "Rate limit reached" } },
      { error: { status: 429, headers: { "retry-after-ms": "1500" } } },
      { error: { status: 503 } },
      { error: { status: 500 } },
      { error: { status: 504 } },
      { error: { status: 400, message: "bad tools" } },
      {
        error: {
          status: 400,
          code: "context_length_exceeded",
          message: "This model's maximum context length is 8192 tokens.",
        },
      },
      { error: { status: 403 } },
    );
    const kinds = [];
    for (let i = 0; i < 8; i++) {
      const { error } = await collect(provider.stream(request()));
      kinds.push([error?.kind, error?.status, error?.retryAfterMs]);
    }
    assert.deepEqual(kinds, [
      ["rate_limit", 429, 3000],
      ["rate_limit", 429, 1500],
      ["overload", 503, undefined],
      ["overload", 500, undefined],
      ["timeout", 504, undefined],
      ["bad_request", 400, undefined],
      ["context_overflow", 400, undefined],
      ["auth", 403, undefined],
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: a wrong key is an auth error and the key is not in the message", async () => {
  const { fake, provider } = setup({ apiKey: "sk-right-key-123456", key: "sk-wrong-key-987654" });
  try {
    const { error } = await collect(provider.stream(request()));
    assert.equal(error?.kind, "auth");
    assert.equal(error?.status, 401);
    assert.doesNotMatch(error!.message, /sk-wrong-key-987654/);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: stream cut, connection reset and malformed chunk are network errors", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue(
      { text: "one two three", cutAfterChunks: 2 },
      { text: "one two three", cutAfterChunks: 2, cutMode: "reset" },
      { text: "one two three", malformedAfterChunks: 2 },
    );
    const cut = await collect(provider.stream(request()));
    assert.equal(textOf(cut.events), "one ");
    assert.equal(cut.error?.kind, "network");
    assert.match(cut.error!.message, /stream ended before the response was complete/);
    const reset = await collect(provider.stream(request()));
    assert.equal(reset.error?.kind, "network");
    const malformed = await collect(provider.stream(request()));
    assert.equal(textOf(malformed.events), "one ");
    assert.equal(malformed.error?.kind, "network");
    assert.match(malformed.error!.message, /malformed/);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: connection refused is a network error", async () => {
  const { fake } = setup();
  const url = fake.url;
  await fake.close();
  const provider = createOpenAIChatProvider({ id: "oai", baseUrl: url, apiKey: "k" });
  const { error } = await collect(provider.stream(request()));
  assert.equal(error?.kind, "network");
});

Deno.test("openai chat: aborting mid-stream ends with an aborted error", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "a b c d", hangAfterChunks: 2 });
    const ctl = new AbortController();
    const events = [];
    let error: unknown;
    try {
      for await (const ev of provider.stream(request({ signal: ctl.signal }))) {
        events.push(ev);
        ctl.abort();
      }
    } catch (err) {
      error = err;
    }
    assert.equal(events.length, 1);
    assert.equal((error as { kind?: string }).kind, "aborted");
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: lists models", async () => {
  const { fake, provider } = setup();
  try {
    assert.deepEqual(await provider.listModels!(), ["gpt-fake"]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: an error object inside the stream is classified", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      text: "a b",
      streamError: { afterChunks: 1, type: "server_error", message: "The server had an error" },
    });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error?.kind, "overload");
    assert.match(error!.message, /The server had an error/);
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: the configured request timeout surfaces as a timeout error", async () => {
  const fake = createFakeOpenAI();
  const provider = createOpenAIChatProvider({ id: "oai", baseUrl: fake.url, apiKey: "k", timeoutMs: 50 });
  try {
    fake.enqueue({ text: "too late", delayMs: 30_000 });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error?.kind, "timeout");
  } finally {
    await fake.close();
  }
});
