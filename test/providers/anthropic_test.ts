import assert from "node:assert/strict";
import { createAnthropicProvider } from "../../src/providers/anthropic.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { collect, request, staticGraph, textOf, WEATHER_TOOL } from "./helpers.ts";
import { bounded } from "../helpers/wait.ts";

function setup() {
  const fake = createFakeAnthropic();
  const provider = createAnthropicProvider({ id: "ant", baseUrl: fake.origin, apiKey: "sk-ant-test" });
  return { fake, provider };
}

Deno.test("anthropic: streams thinking, text and tool_use in order with usage and stop", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      thinking: ["Need ", "weather."],
      text: ["Let ", "me ", "check."],
      toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } }],
      argFragments: 4,
      usage: { input: 30, output: 12 },
    });
    const { events, error } = await collect(
      provider.stream(request({ tools: [WEATHER_TOOL], thinkingBudget: 2048 })),
    );
    assert.equal(error, undefined);
    assert.deepEqual(events, [
      { type: "thinking", delta: "Need " },
      { type: "thinking", delta: "weather." },
      { type: "thinking", delta: "", signature: "sig_fake_13" },
      { type: "text", delta: "Let " },
      { type: "text", delta: "me " },
      { type: "text", delta: "check." },
      { type: "tool_call", call: { id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } } },
      { type: "usage", inputTokens: 30, outputTokens: 12 },
      { type: "stop", reason: "tool_use" },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: sends system, thinking budget, tools and tool_result blocks", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "Sunny in Paris." });
    await collect(provider.stream(request({
      model: "claude-x",
      thinkingBudget: 4000,
      maxTokens: 1000,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: "Checking.",
          thinking: [{ text: "Need weather.", signature: "sig1" }],
          toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } }],
        },
        { role: "tool", toolCallId: "toolu_1", name: "get_weather", content: "sunny" },
        { role: "tool", toolCallId: "toolu_2", name: "get_weather", content: "boom", isError: true },
        { role: "user", content: "thanks" },
      ],
    })));
    const body = fake.requests[0]!.body;
    assert.equal(fake.requests[0]!.path, "/v1/messages");
    assert.equal(body.model, "claude-x");
    assert.equal(body.system, "You are terse.");
    assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 4000 });
    assert.ok((body.max_tokens as number) > 4000, "max_tokens is raised above the thinking budget");
    assert.deepEqual(body.tools, [{
      name: WEATHER_TOOL.name,
      description: WEATHER_TOOL.description,
      input_schema: WEATHER_TOOL.parameters,
    }]);
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ type: "text", text: "weather in Paris?" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Need weather.", signature: "sig1" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "sunny" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "boom", is_error: true },
          { type: "text", text: "thanks" },
        ],
      },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: classifies 529, 429 with retry-after, 401, prompt too long", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue(
      { error: { status: 529 } },
      { error: { status: 429, headers: { "retry-after": "7" } } },
      { error: { status: 401 } },
      { error: { status: 400, message: "prompt is too long: 210000 tokens > 200000 maximum" } },
      { error: { status: 400, message: "messages: text content blocks must be non-empty" } },
    );
    const got = [];
    for (let i = 0; i < 5; i++) {
      const { error } = await collect(provider.stream(request()));
      got.push([error?.kind, error?.retryAfterMs]);
    }
    assert.deepEqual(got, [
      ["overload", undefined],
      ["rate_limit", 7000],
      ["auth", undefined],
      ["context_overflow", undefined],
      ["bad_request", undefined],
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: stream cut before message_stop and malformed tool JSON are errors", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue(
      { text: "alpha beta gamma", cutAfterChunks: 5 },
      { toolCalls: [{ name: "get_weather", arguments: '{"city":' }] },
      { text: "x y", malformedAfterChunks: 3 },
    );
    const cut = await collect(provider.stream(request()));
    assert.equal(textOf(cut.events), "alpha beta ");
    assert.equal(cut.error?.kind, "network");
    const bad = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.match(bad.error!.message, /malformed JSON arguments for tool "get_weather"/);
    const malformed = await collect(provider.stream(request()));
    assert.equal(malformed.error?.kind, "network");
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: max_tokens and end_turn stop reasons; lists models", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "a", finishReason: "max_tokens" }, { text: "b" });
    assert.deepEqual((await collect(provider.stream(request()))).events.at(-1), {
      type: "stop",
      reason: "max_tokens",
    });
    assert.deepEqual((await collect(provider.stream(request()))).events.at(-1), {
      type: "stop",
      reason: "end",
    });
    assert.deepEqual(await provider.listModels!(), ["claude-fake"]);
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: an error event inside the stream is classified (overloaded mid-stream)", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      text: "a b",
      streamError: { afterChunks: 2, type: "overloaded_error", message: "Overloaded" },
    });
    const { events, error } = await collect(provider.stream(request()));
    assert.deepEqual(events, []);
    assert.equal(error?.kind, "overload");
    assert.match(error!.message, /Overloaded/);
  } finally {
    await fake.close();
  }
});

Deno.test("anthropic: sends the key and API version; configured headers override by name, whatever their case", async () => {
  const fake = createFakeAnthropic();
  const provider = createAnthropicProvider({
    id: "ant",
    baseUrl: fake.origin + "/",
    apiKey: "sk-ant-test",
    headers: { "Anthropic-Beta": "tools-2024", "ANTHROPIC-VERSION": "2024-01-01" },
  });
  try {
    fake.enqueue({ text: "ok" });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error, undefined);
    const h = fake.requests[0]!.headers;
    assert.equal(fake.requests[0]!.path, "/v1/messages", "a trailing slash on baseUrl is not doubled");
    assert.equal(h["x-api-key"], "sk-ant-test");
    assert.equal(h["anthropic-beta"], "tools-2024");
    assert.equal(h["anthropic-version"], "2024-01-01", "one version header, the configured one");
  } finally {
    await fake.close();
  }
});

Deno.test(
  "anthropic: aborting mid-stream is an aborted error; an unanswered request times out",
  bounded(async () => {
    const fake = createFakeAnthropic();
    try {
      const provider = createAnthropicProvider({ id: "ant", baseUrl: fake.origin, apiKey: "k" });
      fake.enqueue({ text: "a b c d", hangAfterChunks: 4 }); // message_start, ping, block start, one delta
      const ctl = new AbortController();
      let error: unknown;
      try {
        for await (const ev of provider.stream(request({ signal: ctl.signal }))) {
          if (ev.type === "text") ctl.abort();
        }
      } catch (err) {
        error = err;
      }
      assert.equal((error as { kind?: string }).kind, "aborted");
      const slow = createAnthropicProvider({ id: "ant", baseUrl: fake.origin, apiKey: "k", timeoutMs: 50 });
      fake.enqueue({ text: "too late", delayMs: 30_000 });
      assert.equal((await collect(slow.stream(request()))).error?.kind, "timeout");
    } finally {
      await fake.close();
    }
  }),
);

Deno.test("anthropic: the provider does not load @anthropic-ai/sdk (only its model list does, on demand)", async () => {
  const { loaded, all } = await staticGraph("../../src/providers/anthropic.ts");
  assert.deepEqual(loaded.filter((s) => /anthropic-ai\/sdk/.test(s)), []);
  assert.ok(all.some((s) => /anthropic-ai\/sdk/.test(s)), "the SDK is in the graph (types, the model list)");
});
