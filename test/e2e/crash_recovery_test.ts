// deno-lint-ignore-file no-explicit-any
/**
 * Simulated process crash: a real gateway process answers 50 Telegram chats through a slow fake
 * provider, is SIGKILLed mid-load, and restarted. Every accepted message must be answered, and no reply
 * chunk may be sent twice (the one retry the outbox allows for a send that was in flight at the crash
 * is the only exception, and it must be recorded as such).
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { spawnTalon } from "../helpers/process.ts";
import { tempHome } from "../helpers/temp.ts";
import { telegramGatewayConfig } from "../helpers/configs.ts";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { createOutboxRepo } from "../../src/store/outbox.ts";

const CHATS = 50;

/**
 * The newest user message that names a chat: after a restart the re-run adds only the "interrupted" note,
 * and the model sees the original message once, earlier in the history (issue 13 item 5).
 */
function lastUserText(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: unknown }[];
  const text = (m: { content: unknown }) =>
    typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  const last = [...messages].reverse().find((m) => m.role === "user" && /msg-\d+/.test(text(m)));
  return last ? text(last) : "";
}

Deno.test("crash: SIGKILL under load and restart — every accepted message answered, nothing sent twice", async () => {
  await using home = await tempHome();
  const telegram = startFakeTelegram();
  const provider = createFakeOpenAI({
    fallback: (req) => ({ text: `re: ${/msg-\d+/.exec(lastUserText(req.body))?.[0]}`, delayMs: 400 }),
  });
  try {
    await Deno.writeTextFile(
      `${home.dir}/talon.json`,
      JSON.stringify(telegramGatewayConfig({ providerUrl: provider.url, telegram, maxConcurrent: 8 })),
    );
    for (let i = 0; i < CHATS; i++) {
      telegram.pushMessage({
        chat: { id: 1000 + i, type: "private" },
        from: { id: 1000 + i },
        text: `msg-${i}`,
      });
    }
    const env = { TALON_HOME: home.dir };
    {
      await using first = spawnTalon(["gateway"], env);
      await first.waitForLine(/listening on/, 60_000);
      await telegram.waitForSent((s) => s.length >= 10, 60_000).catch((e) => {
        console.log(first.output());
        throw e;
      });
      first.child.kill("SIGKILL");
      await first.child.status;
    }
    const answeredBefore = new Set(telegram.sent.map((s) => s.chat_id));
    assert.ok(answeredBefore.size < CHATS, "the crash happened with work still in flight");
    {
      await using second = spawnTalon(["gateway"], env);
      await second.waitForLine(/listening on/, 60_000);
      await telegram.waitForSent((s) => new Set(s.map((m) => m.chat_id)).size >= CHATS, 120_000);
      // Give a duplicate, if any, the chance to show up before the process goes.
      await new Promise((r) => setTimeout(r, 500));
      second.child.kill("SIGTERM");
      await second.child.status;
    }
    const byChat = new Map<string, any[]>();
    for (const s of telegram.sent) byChat.set(s.chat_id, [...(byChat.get(s.chat_id) ?? []), s]);
    const store = await openStore({ url: fileUrl(`${home.dir}/talon.db`) });
    try {
      const outbox = createOutboxRepo(store.db);
      const recovered = (await outbox.list({ limit: 1000 })).filter((i) => i.recovered).map((i) =>
        i.target.to
      );
      for (let i = 0; i < CHATS; i++) {
        const got = byChat.get(String(1000 + i)) ?? [];
        assert.ok(got.length >= 1, `chat ${i} was answered`);
        assert.ok(got.every((m) => (m.text as string).includes(`msg-${i}`)), `chat ${i} got its own answer`);
        if (got.length > 1) {
          assert.equal(got.length, 2, `chat ${i} got at most one retry`);
          assert.ok(
            recovered.includes(`direct:${1000 + i}`),
            `chat ${i}'s second send is the recorded retry`,
          );
        }
      }
      const left = await store.db.query<{ n: number }>(
        "SELECT count(*) AS n FROM lane_inbox WHERE state IN ('queued','running')",
      );
      assert.equal(Number(left[0]?.n), 0, "nothing is left in the inbox");
    } finally {
      store.close();
    }
  } finally {
    await telegram.close();
    await provider.close();
  }
});
