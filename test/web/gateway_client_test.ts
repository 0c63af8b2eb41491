/** The Control UI's WebSocket client (web/src/lib/gateway_client.ts) in Deno against a real gateway. */
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { type ClientStatus, createUiClient, type UiClient } from "../../web/src/lib/gateway_client.ts";

/** A WebSocket that records its instances so the test can drop them like a failing network. */
function recordingSockets() {
  const open: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      open.push(this);
    }
  }
  return { open, WebSocketImpl: Recording as typeof WebSocket };
}

function statusIs(c: UiClient, want: ClientStatus): Promise<void> {
  if (c.status === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = c.onStatus((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

const fast = { baseMs: 20, maxMs: 200, jitter: 0 };

Deno.test("client: hello with methods, requests, and a refused token stops without retrying", async () => {
  await using gw = await startTestGateway();
  const c = createUiClient({ url: gw.wsUrl, token: gw.token.token, backoff: fast });
  await statusIs(c, "open");
  assert.ok(c.has("health"));
  assert.ok(!c.has("no.such.method"));
  const h = await c.request<{ ok: boolean }>("health");
  assert.equal(h.ok, true);
  await assert.rejects(
    c.request("no.such.method"),
    (e: Error & { code?: string }) => e.code === "METHOD_NOT_FOUND",
  );
  c.close();

  const bad = createUiClient({ url: gw.wsUrl, token: "wrong-token-0123456789", backoff: fast });
  await statusIs(bad, "refused");
  assert.equal(bad.refusal?.code, "UNAUTHORIZED");
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(bad.status, "refused");
  bad.close();
});

Deno.test("client: reconnects after a drop, re-sends subscriptions and tells pages (onHello)", async () => {
  await using gw = await startTestGateway();
  const rec = recordingSockets();
  const c = createUiClient({
    url: gw.wsUrl,
    token: gw.token.token,
    backoff: fast,
    WebSocketImpl: rec.WebSocketImpl,
  });
  try {
    await statusIs(c, "open");
    await c.subscribe({ sessionKeys: ["agent:main:main"] });
    const got: unknown[] = [];
    c.on("chat", (p) => got.push(p));
    gw.bus.publish({ event: "chat", sessionKey: "agent:main:main", payload: { n: 1 } });
    gw.bus.publish({ event: "chat", sessionKey: "agent:other:main", payload: { n: 0 } });
    await c.request("health"); // events sent before this response have arrived
    assert.deepEqual(got, [{ n: 1 }]);

    const firstConn = c.hello?.server.connId;
    const hello = new Promise<string>((resolve) => c.onHello((h) => resolve(h.server.connId ?? "")));
    const reconnecting = statusIs(c, "reconnecting");
    rec.open.at(-1)!.close();
    await reconnecting;
    const connId = await hello; // sent after the subscriptions were re-sent
    assert.notEqual(connId, firstConn);
    assert.equal(c.status, "open");
    assert.equal(rec.open.length, 2);
    gw.bus.publish({ event: "chat", sessionKey: "agent:main:main", payload: { n: 2 } });
    await c.request("health");
    assert.deepEqual(got, [{ n: 1 }, { n: 2 }]);
  } finally {
    c.close();
  }
});

Deno.test("client: a request made while reconnecting is sent once the connection is back", async () => {
  await using gw = await startTestGateway();
  const rec = recordingSockets();
  const c = createUiClient({
    url: gw.wsUrl,
    token: gw.token.token,
    backoff: fast,
    WebSocketImpl: rec.WebSocketImpl,
  });
  try {
    await statusIs(c, "open");
    const reconnecting = statusIs(c, "reconnecting");
    rec.open[0]!.close();
    await reconnecting;
    const h = await c.request<{ ok: boolean }>("health");
    assert.equal(h.ok, true);
    assert.equal(c.status, "open");
  } finally {
    c.close();
  }
});
