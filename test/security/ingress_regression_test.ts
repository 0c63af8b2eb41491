// Attacks that held before issue 18, kept as regression tests: no auth bypass, Origin/Host checks on the
// WebSocket (cross-site pages, DNS rebinding), no credentials accepted in a URL.
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { rawWs } from "../helpers/raw_ws.ts";

Deno.test("a WebSocket from a foreign Origin or through a foreign Host is refused before any frame", async () => {
  await using gw = await startTestGateway();
  const cases: Record<string, string>[] = [
    { Origin: "https://evil.example" },
    { Origin: `http://evil.example:${gw.port}`, Host: `evil.example:${gw.port}` }, // DNS rebinding
    { Origin: "null" },
  ];
  for (const headers of cases) {
    const ws = rawWs({ port: gw.port, headers });
    assert.equal(await ws.status, 403, JSON.stringify(headers));
    ws.destroy();
    await ws.closed;
  }
  // The gateway's own origin is fine.
  const own = rawWs({ port: gw.port, headers: { Origin: `http://127.0.0.1:${gw.port}` } });
  assert.equal(await own.status, 101);
  own.destroy();
  await own.closed;
});

Deno.test("credentials in a URL are refused outright, even the right token", async () => {
  await using gw = await startTestGateway();
  for (const name of ["token", "access_token", "api_key", "password"]) {
    const res = await fetch(`${gw.url}/metrics?${name}=${gw.token.token}`);
    assert.equal(res.status, 400, name);
    await res.body?.cancel();
  }
  const ws = rawWs({ port: gw.port, path: `/ws?token=${gw.token.token}` });
  assert.equal(await ws.status, 400);
  ws.destroy();
  await ws.closed;
});

Deno.test("HTTP endpoints need a valid bearer token; a malformed header is no credential", async () => {
  await using gw = await startTestGateway();
  for (
    const authorization of ["", "Bearer", `Basic ${btoa(`x:${gw.token.token}`)}`, "Bearer wrong-wrong-wrong"]
  ) {
    const res = await fetch(`${gw.url}/metrics`, { headers: authorization ? { authorization } : {} });
    assert.equal(res.status, 401, authorization);
    await res.body?.cancel();
  }
  const ok = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.token.token}` } });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});
