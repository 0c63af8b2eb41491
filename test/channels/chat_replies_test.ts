// deno-lint-ignore-file no-explicit-any
/**
 * A real gateway with a Telegram account on the fake Bot API: what a chat user sees for commands that
 * never wait in line, and for messages the queue cap drops.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { startTestGateway } from "../helpers/gateway.ts";

function telegramConfig(telegram: { token: string; apiRoot: string }, extra: Record<string, any> = {}) {
  return {
    agents: { defaults: { model: { primary: "echo/echo" }, ...extra.defaults } },
    ...(extra.providers ? { providers: extra.providers } : {}),
    channels: {
      telegram: {
        accounts: {
          default: {
            botToken: telegram.token,
            apiRoot: telegram.apiRoot,
            dmPolicy: "open",
            allowFrom: ["42"],
          },
        },
      },
    },
  };
}

Deno.test("chat commands that never wait in line reply in the chat, through the outbox", async () => {
  const telegram = startFakeTelegram();
  try {
    await using gw = await startTestGateway(telegramConfig(telegram));
    const commands = [
      "/help",
      "/status",
      "/model",
      "/model echo/echo",
      "/stop",
      "/queue",
      "/approve nope deny",
    ];
    for (const [i, text] of commands.entries()) {
      telegram.pushMessage({
        chat: { id: 42, type: "private" as const },
        from: { id: 42 },
        text,
        message_id: 100 + i,
      });
    }
    await telegram.waitForSent((s) => s.length >= commands.length, 90_000);
    const replyTo = (i: number) => telegram.sent.find((m) => m.reply_to === 100 + i)?.text ?? "";
    assert.match(replyTo(0), /\/queue/, "/help lists /queue");
    assert.match(replyTo(0), /\/approve/, "/help lists /approve");
    assert.match(replyTo(1), /Model: echo\/echo/);
    assert.match(replyTo(2), /Current model: echo\/echo/);
    assert.match(replyTo(3), /Model for this session: echo\/echo/);
    assert.match(replyTo(4), /Nothing is running/);
    assert.match(replyTo(5), /Queue mode/);
    assert.match(replyTo(6), /No pending approval nope/);
    const outbox = await gw.store.db.query<{ n: number }>("SELECT count(*) AS n FROM lane_outbox");
    assert.ok(Number(outbox[0]!.n) >= commands.length, "command replies went through the outbox");
  } finally {
    await telegram.close();
  }
});

Deno.test("a redelivered command (the same Telegram message again) acts and answers once", async () => {
  const telegram = startFakeTelegram();
  try {
    await using gw = await startTestGateway(telegramConfig(telegram));
    const status = {
      chat: { id: 42, type: "private" as const },
      from: { id: 42 },
      text: "/queue steer",
      message_id: 500,
    };
    telegram.pushMessage(status);
    telegram.pushMessage(status); // the platform delivers it again, e.g. after a restart
    telegram.pushMessage({
      chat: { id: 42, type: "private" },
      from: { id: 42 },
      text: "/queue",
      message_id: 501,
    });
    await telegram.waitForSent((s) => s.some((m) => m.reply_to === 501), 90_000);
    const replies = await gw.store.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM lane_outbox WHERE payload LIKE '%Queue mode for this session%'",
    );
    assert.equal(Number(replies[0]!.n), 1, "one reply to the command, not one per delivery");
    assert.equal(telegram.sent.filter((m) => m.reply_to === 500).length, 1);
    const seen = await gw.store.db.query<{ state: string }>(
      "SELECT state FROM lane_inbox WHERE dedupe_key LIKE '%:500'",
    );
    assert.deepEqual(seen.map((r) => r.state), ["done"], "the command is in the inbox, done, once");
  } finally {
    await telegram.close();
  }
});

for (const policy of ["old", "new"] as const) {
  Deno.test(`a message dropped by the queue cap (${policy}) ends its run and its sender gets one notice`, async () => {
    const telegram = startFakeTelegram();
    const provider = createFakeOpenAI({
      fallback: (req: any) => {
        const last = JSON.stringify(req.body.messages.at(-1));
        return { text: `re: ${/m\d/.exec(last)?.[0]}`, delayMs: last.includes("m1") ? 1500 : 0 };
      },
    });
    try {
      await using gw = await startTestGateway(telegramConfig(telegram, {
        providers: { fake: { api: "openai-chat", baseUrl: provider.url, apiKey: "k" } },
        defaults: { model: { primary: "fake/gpt-test" }, queueCap: 1, queueDrop: policy },
      }));
      for (const [i, text] of ["m1", "m2", "m3"].entries()) {
        telegram.pushMessage({
          chat: { id: 42, type: "private" },
          from: { id: 42 },
          text,
          message_id: 1 + i,
        });
      }
      const droppedId = policy === "old" ? 2 : 3;
      const keptId = policy === "old" ? 3 : 2;
      await telegram.waitForSent((s) => s.length >= 3, 90_000);
      const notices = telegram.sent.filter((m) => m.reply_to === droppedId);
      assert.equal(notices.length, 1, `one notice for the dropped message: ${JSON.stringify(telegram.sent)}`);
      assert.match(notices[0]!.text!, /send it again/i);
      assert.ok(telegram.sent.some((m) => m.reply_to === 1 && m.text === "re: m1"));
      assert.ok(telegram.sent.some((m) => m.reply_to === keptId && m.text === `re: m${keptId}`));
      // The dropped run ended: the typing indicator, waiting on it, stops.
      const rows = (await gw.store.db.query<{ run_id: string; state: string; dedupe_key: string }>(
        "SELECT run_id, state, dedupe_key FROM lane_inbox",
      )).filter((r) => r.dedupe_key.endsWith(`:${droppedId}`));
      assert.equal(rows[0]?.state, "dropped", JSON.stringify(rows));
      const runId = rows[0]?.run_id;
      assert.ok(runId, "the dropped message has a run");
      const client = await gw.connect();
      try {
        const waited = await client.request<any>("agent.wait", { runId, timeoutMs: 2000 });
        assert.notEqual(waited.status, "timeout", "the dropped run settled");
      } finally {
        await client.close();
      }
    } finally {
      await telegram.close();
      await provider.close();
    }
  });
}
