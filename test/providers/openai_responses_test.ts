import assert from "node:assert/strict";
import { createOpenAIResponsesProvider } from "../../src/providers/openai_responses.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { collect, request, textOf, WEATHER_TOOL } from "./helpers.ts";

function setup() {
  const fake = createFakeOpenAI();
  const provider = createOpenAIResponsesProvider({ id: "oair", baseUrl: fake.url, apiKey: "sk-test" });
  return { fake, provider };
}

Deno.test("openai responses: streams reasoning and text deltas in order, usage, stop", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ thinking: ["think ", "hard"], text: ["Hi ", "you"], usage: { input: 11, output: 5 } });
    const { events, error } = await collect(provider.stream(request()));
    assert.equal(error, undefined);
    assert.deepEqual(events, [
      { type: "thinking", delta: "think " },
      { type: "thinking", delta: "hard" },
      { type: "text", delta: "Hi " },
      { type: "text", delta: "you" },
      { type: "usage", inputTokens: 11, outputTokens: 5 },
      { type: "stop", reason: "end" },
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai responses: sends instructions, input items and function tools", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({ text: "ok" });
    await collect(provider.stream(request({
      maxTokens: 64,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather?" },
        {
          role: "assistant",
          content: "Let me see.",
          toolCalls: [{ id: "c1", name: "get_weather", arguments: { city: "Rome" } }],
        },
        { role: "tool", toolCallId: "c1", name: "get_weather", content: "rain" },
      ],
    })));
    const req = fake.requests[0]!;
    assert.equal(req.path, "/v1/responses");
    assert.equal(req.body.instructions, "You are terse.");
    assert.equal(req.body.max_output_tokens, 64);
    assert.equal(req.body.store, false);
    assert.deepEqual(req.body.input, [
      { role: "user", content: "weather?" },
      { role: "assistant", content: "Let me see." },
      { type: "function_call", call_id: "c1", name: "get_weather", arguments: '{"city":"Rome"}' },
      { type: "function_call_output", call_id: "c1", output: "rain" },
    ]);
    assert.deepEqual(req.body.tools, [{ type: "function", strict: false, ...WEATHER_TOOL }]);
  } finally {
    await fake.close();
  }
});

Deno.test("openai responses: assembles function calls from argument deltas", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      argFragments: 4,
      toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Quito" } }, {
        id: "call_2",
        name: "get_weather",
        arguments: { city: "Bern" },
      }],
    });
    const { events, error } = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.equal(error, undefined);
    assert.deepEqual(events.filter((e) => e.type === "tool_call"), [
      { type: "tool_call", call: { id: "call_1", name: "get_weather", arguments: { city: "Quito" } } },
      { type: "tool_call", call: { id: "call_2", name: "get_weather", arguments: { city: "Bern" } } },
    ]);
    assert.deepEqual(events.at(-1), { type: "stop", reason: "tool_use" });
  } finally {
    await fake.close();
  }
});

Deno.test("openai responses: incomplete maps to max_tokens; cut and errors are classified", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue(
      { text: "long", finishReason: "max_output_tokens" },
      { text: "a b c", cutAfterChunks: 4 },
      { error: { status: 429, headers: { "retry-after": "1" } } },
      { toolCalls: [{ name: "get_weather", arguments: "{oops" }] },
    );
    assert.deepEqual((await collect(provider.stream(request()))).events.at(-1), {
      type: "stop",
      reason: "max_tokens",
    });
    const cut = await collect(provider.stream(request()));
    assert.equal(textOf(cut.events), "a ");
    assert.equal(cut.error?.kind, "network");
    const limited = await collect(provider.stream(request()));
    assert.equal(limited.error?.kind, "rate_limit");
    assert.equal(limited.error?.retryAfterMs, 1000);
    const bad = await collect(provider.stream(request({ tools: [WEATHER_TOOL] })));
    assert.match(bad.error!.message, /malformed JSON arguments/);
  } finally {
    await fake.close();
  }
});

Deno.test("openai responses: an error event inside the stream is classified", async () => {
  const { fake, provider } = setup();
  try {
    fake.enqueue({
      text: "a b",
      streamError: { afterChunks: 1, type: "rate_limit_exceeded", message: "Slow down" },
    });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error?.kind, "rate_limit");
  } finally {
    await fake.close();
  }
});
