// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startTestGateway } from "../helpers/gateway.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

Deno.test("agent flow: the `agent` method acks, runs in a shard worker, and answers with the same request id", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    let ack: any;
    const events: string[] = [];
    client.onEvent((e) => events.push(e));
    const final = await client.request<any>("agent", { message: "hello there", idempotencyKey: "k1" }, {
      onAck: (p) => (ack = p),
      timeoutMs: 30_000,
    });
    assert.equal(ack.status, "accepted");
    assert.equal(final.runId, ack.runId);
    assert.equal(final.status, "ok");
    assert.match(final.result.payloads[0].text, /hello there/);
    assert.ok(
      events.includes("agent") && events.includes("chat"),
      `run events stream to the caller: ${events}`,
    );
    const again = await client.request<any>("agent", { message: "hello there", idempotencyKey: "k1" }, {
      timeoutMs: 30_000,
    });
    assert.equal(
      again.runId,
      final.runId,
      "a retried request with the same idempotency key is not run twice",
    );

    const { milestones } = await client.request<any>("runs.timeline", { runId: final.runId });
    const kinds = milestones.map((m: any) => m.kind);
    for (const k of ["queued", "lane.start", "run.start", "model.attempt", "run.end", "lane.end", "egress"]) {
      assert.ok(kinds.includes(k), `timeline has ${k}: ${kinds}`);
    }
    const at = (k: string) => kinds.indexOf(k);
    assert.ok(at("queued") < at("lane.start") && at("lane.start") < at("run.start"), `in order: ${kinds}`);
    assert.ok(
      at("run.start") < at("model.attempt") && at("model.attempt") < at("run.end"),
      `in order: ${kinds}`,
    );
    const status = await client.request<any>("lanes.status");
    assert.ok(status.shards.length >= 1);
    const { sessions } = await client.request<any>("sessions.list");
    assert.ok(sessions.some((s: any) => s.sessionKey === "agent:main:main"));
    const history = await client.request<any>("chat.history", { sessionKey: "agent:main:main" });
    assert.ok(history.entries.some((e: any) => e.kind === "user"));
  } finally {
    await client.close();
  }
});

Deno.test("agent flow: chat.send streams chat events to the web chat; /status answers without the model", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    const finals: any[] = [];
    client.onEvent((e, p: any) => {
      if (e === "chat" && p.state === "final") finals.push(p);
    });
    const { runId, sessionKey } = await client.request<any>("chat.send", { text: "stream me" });
    assert.equal(sessionKey, "agent:main:main");
    const waited = await client.request<any>("agent.wait", { runId, timeoutMs: 30_000 });
    assert.equal(waited.status, "ok");
    const deadline = Date.now() + 5000;
    while (!finals.some((f) => f.runId === runId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(finals.find((f) => f.runId === runId).message.content, /stream me/);
    const st = await client.request<any>("chat.send", { text: "/status" });
    const statusReply = await client.request<any>("agent.wait", { runId: st.runId, timeoutMs: 10_000 });
    assert.match(statusReply.result.payloads[0].text, /echo/i);
  } finally {
    await client.close();
  }
});

Deno.test("agent flow: /v1/chat/completions through the real openai SDK, streaming and not", async () => {
  await using gw = await startTestGateway(ECHO);
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token.token, maxRetries: 0 });
  const models = await openai.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ["talon/main"]);
  const completion = await openai.chat.completions.create({
    model: "talon/main",
    messages: [{ role: "user", content: "plain answer please" }],
    user: "alice",
  });
  assert.match(completion.choices[0]!.message.content!, /plain answer please/);
  assert.ok(completion.usage!.total_tokens > 0);
  const stream = await openai.chat.completions.create({
    model: "talon/main",
    messages: [{ role: "user", content: "streamed answer please" }],
    stream: true,
  });
  let text = "";
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  assert.ok(chunks > 2, "several SSE chunks");
  assert.match(text, /streamed answer please/);
  await assert.rejects(
    openai.chat.completions.create({ model: "talon/nobody", messages: [{ role: "user", content: "x" }] }),
    (e: any) => e.status === 404,
  );
  const bad = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "wrong-key-wrong-key", maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e: any) => e.status === 401);
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.token.token}`, "content-type": "application/json" },
    body: "{not json",
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.type, "invalid_request_error");
});

Deno.test("hooks: token required (header, never query), 202 with runId, or the result when waiting", async () => {
  const hooksToken = "hooks-token-hooks-token-123";
  await using gw = await startTestGateway({ ...ECHO, hooks: { enabled: true, token: hooksToken } });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const none = await post("/hooks/agent", { message: "x" });
  assert.equal(none.status, 401);
  await none.body?.cancel();
  const wrong = await post("/hooks/agent", { message: "x" }, { authorization: "Bearer nope-nope-nope-nope" });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  const inQuery = await post(`/hooks/agent?token=${hooksToken}`, { message: "x" });
  assert.equal(inQuery.status, 400);
  await inQuery.body?.cancel();
  const gatewayToken = await post("/hooks/agent", { message: "x" }, {
    authorization: `Bearer ${gw.token.token}`,
  });
  assert.equal(gatewayToken.status, 401, "the gateway token is not the hooks token");
  await gatewayToken.body?.cancel();
  const invalid = await post("/hooks/agent", { nope: 1 }, { "x-talon-token": hooksToken });
  assert.equal(invalid.status, 400);
  assert.match((await invalid.json()).error.message, /message/);
  const accepted = await post("/hooks/agent", { message: "from a hook", name: "ci" }, {
    "x-talon-token": hooksToken,
  });
  assert.equal(accepted.status, 202);
  const { runId, sessionKey } = await accepted.json();
  assert.equal(sessionKey, "hook:ci");
  assert.match(runId, /^run_/);
  const waited = await post("/hooks/agent", { message: "wait for me", wait: true }, {
    authorization: `Bearer ${hooksToken}`,
  });
  assert.equal(waited.status, 200);
  assert.match((await waited.json()).result.payloads[0].text, /wait for me/);
  const wake = await post("/hooks/wake", {}, { authorization: `Bearer ${hooksToken}` });
  assert.equal(wake.status, 202);
  await wake.body?.cancel();
});

Deno.test("/queue <mode> is kept per session across a restart", async () => {
  const { loadConfig } = await import("../../src/config/load.ts");
  const { startGateway } = await import("../../src/app/gateway_runtime.ts");
  const home = await Deno.makeTempDir({ prefix: "talon-queue-" });
  try {
    await Deno.writeTextFile(
      `${home}/talon.json`,
      JSON.stringify({ ...ECHO, gateway: { port: 0 }, logging: { console: false } }),
    );
    const env = { TALON_HOME: home };
    const ask = async (text: string) => {
      const gw = await startGateway({ loaded: await loadConfig({ env }), env, print: () => {} });
      const { connectGateway } = await import("../../src/gateway/client.ts");
      const client = await connectGateway({
        url: gw.url.replace("http", "ws") + "/ws",
        token: gw.token.token,
      });
      try {
        const { runId } = await client.request<any>("chat.send", {
          text,
          sessionKey: "agent:main:webchat:direct:q",
        });
        return (await client.request<any>("agent.wait", { runId, timeoutMs: 10_000 })).result.payloads[0]
          .text;
      } finally {
        await client.close();
        await gw.shutdown();
      }
    };
    assert.match(await ask("/queue collect"), /Queue mode for this session: collect/);
    assert.match(await ask("/queue"), /Queue mode: collect/, "after a restart");
    assert.match(await ask("/queue default"), /reset to the default/);
    assert.match(await ask("/queue"), /Queue mode: default/);
    assert.match(await ask("/queue sideways"), /Unknown queue mode "sideways"/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
