// Attack: any web page the owner visits makes the browser send credential-less requests, CORS preflights
// or requests with its own Origin to the gateway. None of them may count as a failed login: before the
// fix, 10 no-cors fetches locked the owner out for 60 s, correct token included.
// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { connectFrame, rawSocket, startTestGateway } from "../helpers/gateway.ts";

const EVIL = "https://evil.example";

async function status(res: Response): Promise<number> {
  await res.body?.cancel();
  return res.status;
}

async function ownerCanStillLogIn(gw: { url: string; token: { token: string } }) {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.token.token}` } });
  assert.equal(await status(res), 200, "the owner's correct token must still be accepted");
}

Deno.test("requests without credentials (a page's no-cors fetches) do not lock the owner out", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  for (let i = 0; i < 10; i++) {
    assert.equal(await status(await fetch(`${gw.url}/metrics`)), 401);
    const post = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    assert.equal(await status(post), 401);
  }
  await ownerCanStillLogIn(gw);
});

Deno.test("CORS preflights are answered without auth, grant nothing and do not count", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: EVIL,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), null, "no cross-origin access granted");
    await res.body?.cancel();
  }
  await ownerCanStillLogIn(gw);
});

Deno.test("requests with a foreign Origin are refused before auth, even with a (wrong) token", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        origin: EVIL,
        authorization: `Bearer guess-${i}-guess-guess-guess`,
        "content-type": "text/plain",
      },
      body: "{}",
    });
    assert.equal(await status(res), 403);
  }
  // The correct token from a foreign page is refused too (a page must never act with the owner's token).
  const foreign = await fetch(`${gw.url}/metrics`, {
    headers: { origin: EVIL, authorization: `Bearer ${gw.token.token}` },
  });
  assert.equal(await status(foreign), 403);
  await ownerCanStillLogIn(gw);
  const audit = await gw.store.audit.list({ kind: "auth.failure" });
  assert.equal(audit.length, 0, "nothing reached the authenticator");
});

Deno.test("WebSocket connects without a token do not count as failed logins", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  for (let i = 0; i < 6; i++) {
    const s = await rawSocket(gw.wsUrl);
    await s.next(); // challenge
    s.send(connectFrame(undefined));
    const res = await s.next();
    assert.equal((res.error as any).details.code, "AUTH_TOKEN_MISSING");
    await s.closed;
  }
  const client = await gw.connect();
  await client.close();
});

Deno.test("hooks requests without the hooks token do not lock anyone out", async () => {
  await using gw = await startTestGateway({
    gateway: { auth: { maxFailures: 3 } },
    hooks: { enabled: true, token: "hooks-token-hooks-token-1234" },
  });
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${gw.url}/hooks/wake`, { method: "POST", body: "{}" });
    assert.equal(await status(res), 401);
  }
  await ownerCanStillLogIn(gw);
});

Deno.test("regression: wrong tokens from a non-browser client still lock its address out", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer wrong-${i}-wrong-wrong` },
    });
    assert.equal(await status(res), 401);
  }
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.token.token}` } });
  assert.equal(await status(res), 429);
});
