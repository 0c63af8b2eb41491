import assert from "node:assert/strict";
import { createOpenAIChatProvider } from "../../src/providers/openai_chat.ts";
import { createHttp1Fetch } from "../../src/providers/http1_fetch.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { eventually } from "../helpers/wait.ts";
import { collect, request, staticGraph, textOf, WEATHER_TOOL } from "./helpers.ts";

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

Deno.test("openai chat: classifies HTTP errors (status, Retry-After, error code)", async () => {
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

Deno.test("openai chat: configured headers are sent and override ours by name, whatever their case", async () => {
  const fake = createFakeOpenAI();
  const provider = createOpenAIChatProvider({
    id: "oai",
    baseUrl: fake.url,
    apiKey: "sk-test-key",
    headers: { "X-Title": "Talon", "Authorization": "Bearer from-config" },
  });
  try {
    fake.enqueue({ text: "ok" });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error, undefined);
    const h = fake.requests[0]!.headers;
    assert.equal(h["x-title"], "Talon");
    assert.equal(h.authorization, "Bearer from-config", "one Authorization header, the configured one");
    assert.equal(h["content-type"], "application/json");
    assert.equal(fake.requests[0]!.path, "/v1/chat/completions");
  } finally {
    await fake.close();
  }
});

Deno.test("openai chat: an error page that is not JSON (a proxy's 502) is classified by its status", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<html>502 Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }),
  );
  try {
    const provider = createOpenAIChatProvider({
      id: "oai",
      baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
      apiKey: "k",
    });
    const { error } = await collect(provider.stream(request()));
    assert.equal(error?.kind, "overload");
    assert.equal(error?.status, 502);
    assert.match(error!.message, /502 Bad Gateway/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("openai chat: a kept-alive connection serves the next request after [DONE]; a stream broken off is closed", async () => {
  const fake = createFakeOpenAI();
  const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
  const provider = createOpenAIChatProvider({ id: "oai", baseUrl: fake.url, apiKey: "k", fetch: f });
  try {
    for (const text of ["one", "two"]) {
      fake.enqueue({ text: [text] });
      const { events, error } = await collect(provider.stream(request()));
      assert.equal(error, undefined);
      assert.equal(textOf(events), text);
      await eventually(
        "the finished stream's connection idle again",
        () => f.idle === 1 || undefined,
        10_000,
      );
    }
    assert.equal(fake.requests[1]!.headers["connection"], undefined, "keep-alive, not Connection: close");

    fake.enqueue({ text: "a b c d", hangAfterChunks: 2 });
    for await (const ev of provider.stream(request())) {
      assert.equal(ev.type, "text");
      break;
    }
    assert.equal(f.idle, 0, "the broken-off stream's connection was not kept (the sanitizer sees it closed)");
  } finally {
    f.closeIdle();
    await fake.close();
  }
});

Deno.test("openai chat: the provider does not load the openai SDK (only its model list does, on demand)", async () => {
  const { loaded, all } = await staticGraph("../../src/providers/openai_chat.ts");
  assert.deepEqual(loaded.filter((s) => /^npm:\/?openai@/.test(s)), []);
  assert.ok(all.some((s) => /^npm:\/?openai@/.test(s)), "the SDK is in the graph (types, the model list)");
});

Deno.test("openai chat: a body that ends after [DONE] is read to its end in the background, keeping the connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { promise: finished, resolve: finish } = Promise.withResolvers<void>();
  const enc = new TextEncoder();
  const chunk = (s: string) => `${enc.encode(s).byteLength.toString(16)}\r\n${s}\r\n`;
  const served = (async () => {
    const conn = await listener.accept();
    try {
      const buf = new Uint8Array(65536);
      let got = "";
      while (
        !/\r\n\r\n/.test(got) ||
        got.length < got.indexOf("\r\n\r\n") + 4 + Number(/content-length: (\d+)/i.exec(got)?.[1])
      ) {
        const n = await conn.read(buf);
        if (n === null) return;
        got += new TextDecoder().decode(buf.subarray(0, n));
      }
      const sse = (o: unknown) => chunk(`data: ${JSON.stringify(o)}\n\n`);
      await conn.write(enc.encode(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
          sse({ choices: [{ index: 0, delta: { content: "hi" } }] }) +
          sse({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) + chunk("data: [DONE]\n\n"),
      ));
      await finished; // the client has its whole answer; only now does the body end
      await conn.write(enc.encode("0\r\n\r\n"));
      await conn.read(buf); // until the client closes the kept connection
    } finally {
      conn.close();
    }
  })();
  const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
  const { port } = listener.addr as Deno.NetAddr;
  const provider = createOpenAIChatProvider({
    id: "oai",
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey: "k",
    fetch: f,
  });
  try {
    const { events, error } = await collect(provider.stream(request()));
    assert.equal(error, undefined);
    assert.equal(textOf(events), "hi");
    assert.equal(f.idle, 0, "the body has not ended yet");
    finish();
    await eventually(
      "the connection kept once the body ended",
      () => f.idle === 1 || undefined,
      10_000,
    );
  } finally {
    finish();
    f.closeIdle();
    listener.close();
    await served;
  }
});
