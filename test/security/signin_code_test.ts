// Attack: a one-time Control UI sign-in code (`talon dashboard`) carries its creator's admin scopes. Before
// the fix, a connection opened with it could call any admin method, several parallel redeems each got a
// session, and the code worked as a Bearer token over HTTP.
import assert from "node:assert/strict";
import { GatewayRequestError } from "../../src/gateway/client.ts";
import { SIGNIN_SESSION_NAME } from "../../src/gateway/methods/ui_methods.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

async function mintCode(gw: TestGateway): Promise<string> {
  const admin = await gw.connect();
  try {
    return (await admin.request<{ code: string }>("ui.signin.create", {})).code;
  } finally {
    await admin.close();
  }
}

const refusedWith = (code: string) => (e: unknown) => e instanceof GatewayRequestError && e.code === code;

Deno.test("a connection signed in with a code can do nothing but redeem it", async () => {
  await using gw = await startTestGateway();
  const code = await mintCode(gw);
  const c = await gw.connect({ token: code });
  try {
    for (
      const method of ["health", "status", "config.raw", "ui.signin.create", "chat.send"]
    ) {
      await assert.rejects(c.request(method, {}), refusedWith("FORBIDDEN"), method);
    }
  } finally {
    await c.close();
  }
  // Over HTTP the code is refused outright.
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${code}` } });
  assert.equal(res.status, 403);
  await res.body?.cancel();
});

Deno.test("redeeming closes the code's connection, and the code works once", async () => {
  await using gw = await startTestGateway();
  const code = await mintCode(gw);
  const c = await gw.connect({ token: code });
  const { token } = await c.request<{ token: string }>("ui.signin.redeem", {});
  assert.ok(token && token !== code);
  await assert.rejects(c.request("ui.signin.redeem", {}), /Connection closed \(1000/);
  await c.close().catch(() => {});
  // Refused, in words that say why and what to do.
  await assert.rejects(
    gw.connect({ token: code }),
    /This link was already used — run `talon dashboard` again/,
  );
  const session = await gw.connect({ token });
  assert.equal((await session.request<{ ok: boolean }>("health", {})).ok, true);
  await session.close();
});

Deno.test("4 parallel redeems of one code give exactly 1 session", async () => {
  await using gw = await startTestGateway();
  const code = await mintCode(gw);
  const clients = await Promise.all([1, 2, 3, 4].map(() => gw.connect({ token: code })));
  const results = await Promise.allSettled(
    clients.map((c) => c.request<{ token: string }>("ui.signin.redeem")),
  );
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, JSON.stringify(results));
  const sessions = (await gw.store.credentials.list()).filter((c) => c.name === SIGNIN_SESSION_NAME);
  assert.equal(sessions.length, 1);
});
