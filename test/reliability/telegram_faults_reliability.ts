/**
 * Telegram fault matrix through the real gateway: sendMessage answered 429 (retry_after) and 502,
 * getUpdates answered 502, and the TCP connection dropped mid long-poll (a loopback proxy in front of the
 * fake Bot API cuts every open connection). Every message gets exactly one reply.
 */
import assert from "node:assert/strict";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { startTestGateway } from "../helpers/gateway.ts";

/** A TCP proxy on 127.0.0.1:0 that forwards to `target` and can cut every open connection at once. */
function startDroppingProxy(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let accepted = 0;
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable, { preventClose: false });
    } catch { /* cut */ }
  };
  const loop = (async () => {
    for await (const client of listener) {
      accepted++;
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort }).catch(() => undefined);
      if (!upstream) {
        client.close();
        continue;
      }
      open.add(client);
      open.add(upstream);
      void Promise.all([pipe(client, upstream), pipe(upstream, client)]).finally(() => {
        for (const c of [client, upstream]) {
          open.delete(c);
          try {
            c.close();
          } catch { /* already closed */ }
        }
      });
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    accepted: () => accepted,
    /** Closes every open connection (both sides), like a network drop. */
    dropAll() {
      const n = open.size;
      for (const c of [...open]) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      open.clear();
      return n / 2;
    },
    async close() {
      listener.close();
      this.dropAll();
      await loop;
    },
  };
}

Deno.test("telegram fault matrix: 429, 502 and dropped connections; every message answered exactly once", async () => {
  const telegram = startFakeTelegram();
  const proxy = startDroppingProxy(Number(new URL(telegram.apiRoot).port));
  try {
    await using _gw = await startTestGateway({
      providers: { echo: { api: "echo" } },
      agents: { defaults: { model: { primary: "echo/echo" } } },
      session: { dmScope: "per-peer" },
      channels: {
        telegram: {
          accounts: { default: { botToken: telegram.token, apiRoot: proxy.url, dmPolicy: "open" } },
        },
      },
    });
    const say = (chat: number, text: string) =>
      telegram.pushMessage({ chat: { id: chat, type: "private" }, from: { id: chat }, text });
    const answered = (chat: number) => (s: typeof telegram.sent) => s.some((m) => m.chat_id === String(chat));

    // Baseline: polling works through the proxy.
    say(1, "baseline");
    await telegram.waitForSent(answered(1), 30_000);

    // sendMessage: 429 with retry_after, then 502.
    telegram.failNext("sendMessage", { status: 429, retryAfter: 1 });
    say(2, "after a 429");
    await telegram.waitForSent(answered(2), 30_000);
    telegram.failNext("sendMessage", { status: 502 });
    say(3, "after a 502");
    await telegram.waitForSent(answered(3), 30_000);

    // getUpdates: two 502s in a row.
    telegram.failNext("getUpdates", { status: 502 }, { status: 502 });
    say(4, "after getUpdates 502");
    await telegram.waitForSent(answered(4), 30_000);

    // The connection dropped in the middle of a long poll (and of whatever else was open).
    await new Promise((r) => setTimeout(r, 200));
    const before = proxy.accepted();
    assert.ok(proxy.dropAll() >= 1, "a long poll was open");
    say(5, "after a dropped connection");
    await telegram.waitForSent(answered(5), 30_000);
    assert.ok(proxy.accepted() > before, "the adapter reconnected");

    // Everything sent once, each chat its own reply.
    await new Promise((r) => setTimeout(r, 500));
    for (const chat of [1, 2, 3, 4, 5]) {
      const replies = telegram.sent.filter((m) => m.chat_id === String(chat));
      assert.equal(replies.length, 1, `chat ${chat}: ${JSON.stringify(replies)}`);
    }
    const failedSends = telegram.calls.filter((c) => c.method === "sendMessage").length;
    assert.equal(failedSends, 5 + 2, "two sends were refused and retried");
  } finally {
    await proxy.close();
    await telegram.close();
  }
});
