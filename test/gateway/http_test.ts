import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { checkOrigin } from "../../src/gateway/http_security.ts";

Deno.test("healthz and readyz answer without auth; metrics needs the bearer token", async () => {
  await using gw = await startTestGateway();
  const health = await fetch(`${gw.url}/healthz`);
  assert.deepEqual(await health.json(), { ok: true });
  const ready = await fetch(`${gw.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).store, "ready");
  const anon = await fetch(`${gw.url}/metrics`);
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).error.code, "UNAUTHORIZED");
  const client = await gw.connect();
  await client.request("health");
  const metrics = await fetch(`${gw.url}/metrics`, {
    headers: { authorization: `Bearer ${gw.token.token}` },
  });
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get("content-type")!, /text\/plain/);
  const text = await metrics.text();
  assert.match(text, /^talon_uptime_seconds \d+\.\d+$/m);
  assert.match(text, /^talon_ws_connections 1$/m);
  assert.match(text, /^talon_ws_frames_total\{direction="in"\} \d+$/m);
  assert.match(text, /^talon_ws_requests_total\{method="health",status="ok"\} 1$/m);
  assert.match(text, /^talon_http_requests_total\{status="401"\} 1$/m);
  await client.close();
});

Deno.test("a wrong bearer token is refused on every authenticated HTTP path, and audited", async () => {
  await using gw = await startTestGateway({
    hooks: { enabled: true, token: "a-separate-hooks-token-0123456789" },
  });
  const wrong = { authorization: "Bearer a-wrong-token-that-is-long-enough" };
  const metrics = await fetch(`${gw.url}/metrics`, { headers: wrong });
  assert.equal(metrics.status, 401);
  assert.equal((await metrics.json()).error.code, "UNAUTHORIZED");
  const models = await fetch(`${gw.url}/v1/models`, { headers: wrong });
  assert.equal(models.status, 401);
  await models.body?.cancel();
  const chat = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...wrong, "content-type": "application/json" },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(chat.status, 401);
  await chat.body?.cancel();
  const hook = await fetch(`${gw.url}/hooks/agent`, {
    method: "POST",
    headers: { ...wrong, "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
  assert.equal(hook.status, 401);
  await hook.body?.cancel();
  // The gateway token is not the hooks token either.
  const crossed = await fetch(`${gw.url}/hooks/agent`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.token.token}`, "content-type": "application/json" },
    body: JSON.stringify({ message: "hi" }),
  });
  assert.equal(crossed.status, 401);
  await crossed.body?.cancel();
  const failures = await gw.store.db.query<{ n: number }>(
    "SELECT count(*) AS n FROM audit WHERE kind = 'auth.failure' AND outcome = 'mismatch'",
  );
  assert.ok(Number(failures[0]!.n) >= 3, "gateway-token mismatches are audit rows");
});

Deno.test("readyz is 503 once the store is closed", async () => {
  await using gw = await startTestGateway();
  gw.store.close();
  const ready = await fetch(`${gw.url}/readyz`);
  assert.equal(ready.status, 503);
  await ready.body?.cancel();
});

Deno.test("a token in the URL query is refused on every path, even when correct", async () => {
  await using gw = await startTestGateway();
  for (
    const path of [`/metrics?token=${gw.token.token}`, `/ws?access_token=${gw.token.token}`, "/?api_key=x"]
  ) {
    const res = await fetch(`${gw.url}${path}`);
    assert.equal(res.status, 400, path);
    assert.match((await res.json()).error.message, /never accepted in a URL/);
  }
  // Refusals before auth are counted like every other response.
  const foreign = await fetch(`${gw.url}/healthz`, { headers: { origin: "https://evil.example" } });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
  const metrics = await fetch(`${gw.url}/metrics`, {
    headers: { authorization: `Bearer ${gw.token.token}` },
  });
  const text = await metrics.text();
  assert.match(text, /talon_http_requests_total\{status="400"\} 3/);
  assert.match(text, /talon_http_requests_total\{status="403"\} 1/);
});

Deno.test("hub.verify_token is exempt only on GET /whatsapp/<account>; other token-like names are refused", async () => {
  await using gw = await startTestGateway();
  // No WhatsApp account is configured here, so an exempted request reaches routing (404), not the guard.
  const allowed = await fetch(`${gw.url}/whatsapp/biz?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
  assert.notEqual(allowed.status, 400);
  await allowed.body?.cancel();
  for (
    const [method, path] of [
      ["POST", "/whatsapp/biz?hub.verify_token=x"],
      ["GET", "/whatsapp/biz/extra?hub.verify_token=x"],
      ["GET", "/metrics?hub.verify_token=x"],
      ["GET", "/whatsapp/biz?verify_token=x"],
      ["GET", "/?client_secret=x"],
      ["GET", "/?refresh.token=x"],
    ]
  ) {
    const res = await fetch(`${gw.url}${path}`, { method });
    assert.equal(res.status, 400, `${method} ${path}`);
    assert.match((await res.json()).error.message, /never accepted in a URL/);
  }
});

Deno.test("the Control UI is served at / with security headers; traversal is refused", async () => {
  await using gw = await startTestGateway();
  const page = await fetch(`${gw.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
  assert.match(await page.text(), /Talon/);
  for (const path of ["/../deno.json", "/%2e%2e/deno.json", "/.hidden", "/..%2fdeno.json"]) {
    const res = await fetch(`${gw.url}${path}`);
    assert.notEqual(res.status, 200, path);
    await res.body?.cancel();
  }
});

Deno.test("an oversized HTTP body is refused with 413", async () => {
  await using gw = await startTestGateway({ gateway: { limits: { maxBodyBytes: 2048 } } });
  const res = await fetch(`${gw.url}/metrics`, {
    method: "POST",
    body: "x".repeat(10_000),
    headers: { "content-type": "text/plain" },
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, "PAYLOAD_TOO_LARGE");
});

Deno.test("connections past the limit are refused with 503", async () => {
  await using gw = await startTestGateway({ gateway: { limits: { maxConnections: 1 } } });
  const first = await gw.connect();
  await assert.rejects(gw.connect(), /closed|Connection/i);
  await first.close();
});

Deno.test("checkOrigin: own origin, allowed origins, foreign pages and DNS rebinding", () => {
  const opts = { bind: "127.0.0.1", allowedOrigins: ["https://ui.example.test"] };
  const cases: [string | undefined, string | undefined, boolean][] = [
    [undefined, "127.0.0.1:18790", true], // not a browser
    ["http://127.0.0.1:18790", "127.0.0.1:18790", true],
    ["http://localhost:18790", "localhost:18790", true],
    ["https://ui.example.test", "127.0.0.1:18790", true],
    ["http://evil.example", "127.0.0.1:18790", false],
    ["http://localhost:9999", "localhost:18790", false], // another local port is another origin
    ["http://evil.example:18790", "evil.example:18790", false], // rebinding: Host is not ours
    ["null", "127.0.0.1:18790", false],
  ];
  for (const [origin, host, ok] of cases) {
    assert.equal(checkOrigin(origin, host, opts).ok, ok, `${origin} via ${host}`);
  }
});
