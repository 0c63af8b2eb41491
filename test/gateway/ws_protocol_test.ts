// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { connectFrame, rawSocket, startTestGateway } from "../helpers/gateway.ts";
import { GatewayRequestError } from "../../src/gateway/client.ts";
import { MAX_SUBSCRIPTIONS } from "../../src/gateway/ws_connection.ts";

Deno.test("connect happy path answers hello-ok with protocol, server, methods, snapshot and scopes", async () => {
  await using gw = await startTestGateway();
  const client = await gw.connect();
  try {
    const hello = client.hello as Record<string, any>;
    assert.equal(hello.type, "hello-ok");
    assert.equal(hello.protocol, 4);
    assert.equal(hello.server.name, "talon");
    assert.ok(hello.features.methods.includes("status"));
    assert.ok(hello.features.methods.includes("logs.tail"));
    assert.ok(hello.features.events.includes("tick"));
    assert.deepEqual(hello.auth.scopes, ["read", "write", "admin"]);
    assert.equal(hello.snapshot.defaultAgentId, "main");
    assert.equal(typeof hello.policy.maxPayload, "number");
    const status = await client.request<Record<string, any>>("status");
    assert.equal(status.store.ready, true);
    assert.equal(status.gateway.connections, 1);
  } finally {
    await client.close();
  }
});

Deno.test("the server sends connect.challenge with a nonce first", async () => {
  await using gw = await startTestGateway();
  const s = await rawSocket(gw.wsUrl);
  const first = await s.next();
  assert.equal(first.type, "event");
  assert.equal(first.event, "connect.challenge");
  const payload = first.payload as { nonce: string; ts: number };
  assert.ok(payload.nonce.length >= 16);
  assert.equal(typeof payload.ts, "number");
  s.ws.close();
  await s.closed;
});

async function refusedConnect(gwUrl: string, frame: unknown) {
  const s = await rawSocket(gwUrl);
  await s.next(); // challenge
  s.send(frame);
  const res = await s.next();
  const closed = await s.closed;
  return { res, closed };
}

Deno.test("connect without a token is refused with UNAUTHORIZED and close 1008", async () => {
  await using gw = await startTestGateway();
  const { res, closed } = await refusedConnect(gw.wsUrl, connectFrame(undefined));
  assert.equal(res.ok, false);
  assert.equal((res.error as any).code, "UNAUTHORIZED");
  assert.equal((res.error as any).details.code, "AUTH_TOKEN_MISSING");
  assert.equal(closed.code, 1008);
});

Deno.test("connect with a wrong token is refused and audited", async () => {
  await using gw = await startTestGateway();
  const { res, closed } = await refusedConnect(gw.wsUrl, connectFrame("wrong-token-wrong-token"));
  assert.equal((res.error as any).code, "UNAUTHORIZED");
  assert.equal((res.error as any).details.code, "AUTH_TOKEN_MISMATCH");
  assert.equal(closed.code, 1008);
  const audit = await gw.store.audit.list({ kind: "auth.failure" });
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.outcome, "mismatch");
});

Deno.test("a protocol range without 4 is refused with PROTOCOL_MISMATCH and close 1002", async () => {
  await using gw = await startTestGateway();
  const frame = connectFrame(gw.token.token, { minProtocol: 1, maxProtocol: 2 });
  const { res, closed } = await refusedConnect(gw.wsUrl, frame);
  assert.equal((res.error as any).code, "PROTOCOL_MISMATCH");
  assert.equal((res.error as any).details.code, "PROTOCOL_MISMATCH");
  assert.equal(closed.code, 1002);
});

Deno.test("a request before connect is refused and the socket closed", async () => {
  await using gw = await startTestGateway();
  const { res, closed } = await refusedConnect(gw.wsUrl, { type: "req", id: "x", method: "status" });
  assert.equal(res.id, "x");
  assert.equal((res.error as any).code, "UNAUTHORIZED");
  assert.match((res.error as any).message, /first frame must be a connect/);
  assert.equal(closed.code, 1008);
});

Deno.test("malformed JSON before connect closes; after connect it is answered and the socket stays", async () => {
  await using gw = await startTestGateway();
  const pre = await refusedConnect(gw.wsUrl, "{not json");
  assert.equal(pre.res.event, "error");
  assert.equal((pre.res.payload as any).code, "INVALID_REQUEST");
  assert.equal(pre.closed.code, 1008);

  const s = await rawSocket(gw.wsUrl);
  await s.next();
  s.send(connectFrame(gw.token.token));
  assert.equal((await s.next()).ok, true);
  s.send("{oops");
  let frame = await s.next();
  while (frame.event === "tick") frame = await s.next();
  assert.equal((frame.payload as any).code, "INVALID_REQUEST");
  s.send({ type: "req", id: "bad", method: 42 });
  const bad = await s.next();
  assert.equal(bad.id, "bad");
  assert.equal((bad.error as any).code, "INVALID_REQUEST");
  s.send({ type: "req", id: "h", method: "health" });
  const health = await s.next();
  assert.equal(health.ok, true);
  s.ws.close();
  await s.closed;
});

Deno.test("unknown methods are METHOD_NOT_FOUND; bad params are INVALID_REQUEST", async () => {
  await using gw = await startTestGateway();
  const client = await gw.connect();
  try {
    await assert.rejects(
      client.request("no.such.method"),
      (e: GatewayRequestError) => e.code === "METHOD_NOT_FOUND",
    );
    await assert.rejects(
      client.request("logs.tail", { cursor: "x" }),
      (e: GatewayRequestError) => e.code === "INVALID_REQUEST" && /cursor/.test(e.message),
    );
  } finally {
    await client.close();
  }
});

Deno.test("a method above the credential's scope is FORBIDDEN; client-asked scopes never exceed the credential", async () => {
  await using gw = await startTestGateway();
  gw.registry.add({
    name: "test.admin",
    scope: "admin",
    params: (await import("zod")).z.unknown(),
    handler: () => "ok",
  });
  const readToken = "read-only-token-read-only-token";
  await gw.store.credentials.put({ name: "viewer", kind: "operator", scopes: ["read"], token: readToken });
  const viewer = await gw.connect({ token: readToken, scopes: ["operator.admin"] });
  try {
    assert.deepEqual((viewer.hello as any).auth.scopes, ["read"]);
    assert.equal((await viewer.request<any>("health")).ok, true);
    await assert.rejects(viewer.request("test.admin"), (e: GatewayRequestError) => e.code === "FORBIDDEN");
  } finally {
    await viewer.close();
  }
  const admin = await gw.connect({ scopes: ["operator.read"] });
  try {
    assert.deepEqual((admin.hello as any).auth.scopes, ["read"]);
    await assert.rejects(admin.request("test.admin"), (e: GatewayRequestError) => e.code === "FORBIDDEN");
  } finally {
    await admin.close();
  }
});

Deno.test("an oversized frame is refused with PAYLOAD_TOO_LARGE and close 1009", async () => {
  await using gw = await startTestGateway({ gateway: { limits: { maxFrameBytes: 4096 } } });
  const s = await rawSocket(gw.wsUrl);
  await s.next();
  s.send(connectFrame(gw.token.token));
  assert.equal((await s.next()).ok, true);
  s.send({ type: "req", id: "big", method: "health", params: { pad: "x".repeat(10_000) } });
  let frame = await s.next();
  while (frame.event === "tick") frame = await s.next();
  assert.equal((frame.payload as any).code, "PAYLOAD_TOO_LARGE");
  assert.equal((await s.closed).code, 1009);
});

Deno.test("no connect within the pre-auth timeout closes the socket", async () => {
  await using gw = await startTestGateway({ gateway: { limits: { preAuthTimeoutMs: 200 } } });
  const s = await rawSocket(gw.wsUrl);
  await s.next();
  const frame = await s.next();
  assert.equal((frame.payload as any).code, "TIMEOUT");
  assert.equal((await s.closed).code, 1008);
});

Deno.test("repeated auth failures from one address are rate limited, even for the right token", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3, lockoutMs: 60_000 } } });
  for (let i = 0; i < 3; i++) {
    const { res } = await refusedConnect(gw.wsUrl, connectFrame(`wrong-${i}-wrong-wrong-wrong`));
    assert.equal((res.error as any).code, "UNAUTHORIZED");
  }
  const { res } = await refusedConnect(gw.wsUrl, connectFrame(gw.token.token));
  assert.equal((res.error as any).code, "RATE_LIMITED");
  assert.ok((res.error as any).retryAfterMs > 0);
  const http = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.token.token}` } });
  assert.equal(http.status, 429);
  assert.ok(Number(http.headers.get("retry-after")) > 0);
  await http.body?.cancel();
});

Deno.test("a browser Origin must be the gateway's own or allowed; clients without Origin need only the token", async () => {
  await using gw = await startTestGateway({ gateway: { allowedOrigins: ["https://ui.example.test"] } });
  const foreign = await fetch(gw.wsUrl.replace(/^ws/, "http"), {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      origin: "https://evil.example",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
  assert.equal(foreign.status, 403);
  assert.match((await foreign.json()).error.message, /Origin/);
  const own = await gw.connect({ origin: gw.url });
  await own.close();
  const allowed = await gw.connect({ origin: "https://ui.example.test" });
  await allowed.close();
  const rebound = await fetch(gw.wsUrl.replace(/^ws/, "http"), {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      host: "evil.example:80",
      origin: "http://evil.example:80",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
  assert.equal(rebound.status, 403);
  await rebound.body?.cancel();
});

Deno.test("config.get redacts secrets; config.schema returns the JSON Schema", async () => {
  await using gw = await startTestGateway({
    providers: { openai: { api: "openai-chat", apiKey: "sk-test-secret-value-123456" } },
  });
  const client = await gw.connect();
  try {
    const { config } = await client.request<any>("config.get");
    assert.equal(config.providers.openai.apiKey, "[redacted]");
    assert.equal(config.gateway.auth.token, undefined);
    assert.ok(!JSON.stringify(config).includes("sk-test-secret"));
    const { config: port } = await client.request<any>("config.get", { path: "gateway.bind" });
    assert.equal(port, "127.0.0.1");
    const { schema } = await client.request<any>("config.schema");
    assert.ok(schema.properties.gateway);
  } finally {
    await client.close();
  }
});

Deno.test("events.subscribe delivers bus events by name and session; ticks keep long-lived clients alive", async () => {
  await using gw = await startTestGateway({ gateway: { tickIntervalMs: 1000 } });
  const client = await gw.connect();
  const seen: [string, unknown][] = [];
  client.onEvent((e, p) => seen.push([e, p]));
  try {
    await client.request("events.subscribe", {
      events: ["approval.requested"],
      sessionKeys: ["agent:main:main"],
    });
    gw.bus.publish({ event: "approval.requested", payload: { id: "a1" } });
    gw.bus.publish({ event: "agent", payload: { runId: "r1" }, sessionKey: "agent:main:main" });
    gw.bus.publish({ event: "agent", payload: { runId: "r2" }, sessionKey: "agent:other:main" });
    await client.request("health");
    assert.deepEqual(
      seen.filter(([e]) => e !== "tick").map(([e, p]) => [e, (p as any).id ?? (p as any).runId]),
      [
        ["approval.requested", "a1"],
        ["agent", "r1"],
      ],
    );
    const deadline = Date.now() + 5000;
    while (!seen.some(([e]) => e === "tick") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen.some(([e]) => e === "tick"), "a tick event arrives");
  } finally {
    await client.close();
  }
});

Deno.test("subscriptions per connection are capped: the oldest session keys go first", async () => {
  await using gw = await startTestGateway();
  const client = await gw.connect();
  const seen: string[] = [];
  client.onEvent((e, p) => e === "agent" && seen.push((p as any).runId));
  try {
    const keys = Array.from({ length: MAX_SUBSCRIPTIONS + 10 }, (_, i) => `agent:main:s${i}`);
    let r: any;
    for (let i = 0; i < keys.length; i += 100) {
      r = (await client.request<any>("events.subscribe", { sessionKeys: keys.slice(i, i + 100) })).subscribed;
    }
    r = (await client.request<any>("events.subscribe", { sessionKeys: [keys[0]] })).subscribed;
    assert.equal(r.sessionKeys.length, MAX_SUBSCRIPTIONS);
    assert.equal(r.sessionKeys.at(-1), keys[0], "subscribing again makes a key the newest");
    assert.ok(!r.sessionKeys.includes(keys[1]) && r.sessionKeys.includes(keys[12]));
    gw.bus.publish({ event: "agent", payload: { runId: "old" }, sessionKey: keys[1] });
    gw.bus.publish({ event: "agent", payload: { runId: "kept" }, sessionKey: keys[0] });
    await client.request("health");
    assert.deepEqual(seen, ["kept"]);
  } finally {
    await client.close();
  }
});

Deno.test("logs.tail returns lines after a cursor", async () => {
  await using gw = await startTestGateway();
  const client = await gw.connect();
  try {
    const first = await client.request<any>("logs.tail", { limit: 100 });
    assert.ok(first.lines.some((l: string) => JSON.parse(l).msg === "gateway listening"));
    gw.logger.info("marker line", { runId: "run_x" });
    const next = await client.request<any>("logs.tail", { cursor: first.cursor });
    assert.equal(next.lines.length >= 1, true);
    const marker = next.lines.map((l: string) => JSON.parse(l)).find((r: any) => r.msg === "marker line");
    assert.equal(marker.runId, "run_x");
    assert.ok(!first.lines.some((l: string) => l.includes("marker line")));
  } finally {
    await client.close();
  }
});
