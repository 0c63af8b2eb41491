/** The fake servers themselves: non-streaming JSON, fallback replies, model filters, delays. */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";

Deno.test("fake openai: non-streaming chat and responses through the real SDK", async () => {
  const fake = createFakeOpenAI();
  const client = new OpenAI({ baseURL: fake.url, apiKey: "k", maxRetries: 0 });
  try {
    fake.enqueue({ text: "Hello there", usage: { input: 3, output: 2 } }, {
      toolCalls: [{ id: "c9", name: "t", arguments: { x: 1 } }],
    }, { text: "resp text", toolCalls: [{ id: "c7", name: "t", arguments: { y: 2 } }] });
    const chat = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(chat.choices[0]!.message.content, "Hello there");
    assert.equal(chat.choices[0]!.finish_reason, "stop");
    assert.deepEqual(chat.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    const tools = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(tools.choices[0]!.finish_reason, "tool_calls");
    assert.deepEqual(tools.choices[0]!.message.tool_calls, [{
      id: "c9",
      type: "function",
      function: { name: "t", arguments: '{"x":1}' },
    }]);
    const resp = await client.responses.create({ model: "m", input: "hi" });
    assert.equal(resp.output_text, "resp text");
    assert.equal(resp.status, "completed");
    assert.deepEqual(
      resp.output.filter((o) => o.type === "function_call").map((o) =>
        o.type === "function_call" && o.arguments
      ),
      ['{"y":2}'],
    );
  } finally {
    await fake.close();
  }
});

Deno.test("fake openai: fallback answers every unscripted request; model filters pick queue entries", async () => {
  const fake = createFakeOpenAI({ fallback: (req) => ({ text: `echo ${req.body.model}` }) });
  const client = new OpenAI({ baseURL: fake.url, apiKey: "k", maxRetries: 0 });
  try {
    fake.enqueue({ model: "b", text: "scripted for b" });
    const ask = async (model: string) =>
      (await client.chat.completions.create({ model, messages: [{ role: "user", content: "x" }] }))
        .choices[0]!.message
        .content;
    assert.equal(await ask("a"), "echo a");
    assert.equal(await ask("b"), "scripted for b");
    assert.equal(await ask("b"), "echo b");
    assert.equal(fake.pending(), 0);
    await fake.waitForRequests(3);
    assert.deepEqual(fake.requests.map((r) => r.body.model), ["a", "b", "b"]);
  } finally {
    await fake.close();
  }
});

Deno.test("fake openai: without a script it answers 500 in OpenAI's error shape; unknown paths 404", async () => {
  const fake = createFakeOpenAI();
  try {
    const res = await fetch(`${fake.url}/chat/completions`, { method: "POST", body: "{}" });
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.equal(body.error.type, "server_error");
    assert.match(body.error.message, /no scripted reply/);
    const missing = await fetch(`${fake.url}/nope`, { method: "POST", body: "{}" });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await fake.close();
  }
});

Deno.test("fake anthropic: non-streaming message and error shape through the real SDK", async () => {
  const fake = createFakeAnthropic();
  const client = new Anthropic({ baseURL: fake.origin, apiKey: "k", maxRetries: 0 });
  try {
    fake.enqueue({ text: "Hi!", toolCalls: [{ id: "tu1", name: "t", arguments: { a: 1 } }] }, {
      error: { status: 529, message: "Overloaded" },
    });
    const msg = await client.messages.create({
      model: "c",
      max_tokens: 10,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(msg.content, [
      { type: "text", text: "Hi!" },
      { type: "tool_use", id: "tu1", name: "t", input: { a: 1 } },
    ]);
    await assert.rejects(
      client.messages.create({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }),
      (err: Error & { status?: number; type?: string }) =>
        err.status === 529 && err.type === "overloaded_error",
    );
  } finally {
    await fake.close();
  }
});

Deno.test("fake servers: close() ends a stalled stream and a delayed reply", async () => {
  const fake = createFakeOpenAI();
  fake.enqueue({ text: "a b c", hangAfterChunks: 1 }, { text: "late", delayMs: 60_000 });
  const stalled = fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ stream: true }),
  })
    .then((r) => r.text());
  const delayed = fetch(`${fake.url}/chat/completions`, { method: "POST", body: "{}" }).then((r) => r.text());
  await fake.waitForRequests(2);
  await fake.close();
  assert.match(await stalled, /"role":"assistant"/);
  assert.match(await delayed, /late/);
});
