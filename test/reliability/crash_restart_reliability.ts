/**
 * Repeated SIGKILL under load: a real gateway process answering Telegram chats through a slow fake
 * provider is killed three times at different points, with more messages arriving while it is down, and
 * restarted each time. Nothing accepted is lost; a reply chunk is sent twice only when the outbox recorded
 * that send as in flight at a crash (its one allowed retry). The single-crash case is test/e2e/crash_recovery_test.ts.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { spawnTalon } from "../helpers/process.ts";
import { tempHome } from "../helpers/temp.ts";
import { telegramGatewayConfig } from "../helpers/configs.ts";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { createOutboxRepo } from "../../src/store/outbox.ts";

const WAVES = 3;
const PER_WAVE = 20;

Deno.test("crash: three SIGKILLs under load with messages arriving while down — all answered, no unrecorded duplicates", async () => {
  await using home = await tempHome();
  const telegram = startFakeTelegram();
  const provider = createFakeOpenAI({
    fallback: (req) => {
      const messages = req.body.messages as Array<{ role: string; content: unknown }>;
      // The newest user message that names a chat: after a restart the re-run adds only the "interrupted"
      // note, and the model sees the original message once, earlier in the history (issue 13 item 5).
      const withTag = [...messages].reverse().find((m) =>
        m.role === "user" && /m-\d+/.test(JSON.stringify(m.content))
      );
      const tag = /m-\d+/.exec(JSON.stringify(withTag?.content))?.[0];
      return { text: `re: ${tag}`, delayMs: 300 };
    },
  });
  const total = WAVES * PER_WAVE;
  const push = (from: number, n: number) => {
    for (let i = from; i < from + n; i++) {
      telegram.pushMessage({
        chat: { id: 5000 + i, type: "private" },
        from: { id: 5000 + i },
        text: `m-${i}`,
      });
    }
  };
  const chatsAnswered = () => new Set(telegram.sent.map((s) => s.chat_id)).size;
  try {
    await Deno.writeTextFile(
      `${home.dir}/talon.json`,
      JSON.stringify(telegramGatewayConfig({ providerUrl: provider.url, telegram, maxConcurrent: 6 })),
    );
    const env = { TALON_HOME: home.dir };
    push(0, PER_WAVE);
    for (let wave = 0; wave < WAVES; wave++) {
      await using proc = spawnTalon(["gateway"], env);
      await proc.waitForLine(/listening on/);
      // Kill once a few more chats were answered than before: work is in flight at that point.
      const target = Math.min(chatsAnswered() + 3 + wave * 2, total - 1);
      await telegram.waitForSent(() => chatsAnswered() >= target, 60_000).catch((e) => {
        console.log(proc.output());
        throw e;
      });
      proc.child.kill("SIGKILL");
      await proc.child.status;
      // More users write while the gateway is down.
      if (wave + 1 < WAVES) push((wave + 1) * PER_WAVE, PER_WAVE);
    }
    assert.ok(chatsAnswered() < total, "the last crash left work behind");
    {
      await using last = spawnTalon(["gateway"], env);
      await last.waitForLine(/listening on/);
      await telegram.waitForSent(() => chatsAnswered() >= total, 120_000);
      await new Promise((r) => setTimeout(r, 500));
      last.child.kill("SIGTERM");
      await last.child.status;
    }
    const store = await openStore({ url: fileUrl(`${home.dir}/talon.db`) });
    try {
      const recovered = (await createOutboxRepo(store.db).list({ limit: 1000 }))
        .filter((i) => i.recovered).map((i) => i.target.to);
      for (let i = 0; i < total; i++) {
        const chat = String(5000 + i);
        const got = telegram.sent.filter((s) => s.chat_id === chat);
        assert.ok(got.length >= 1, `chat m-${i} answered`);
        assert.ok(
          got.every((m) => m.text === `re: m-${i}`),
          `chat m-${i} got its own answer: ${JSON.stringify(got)}`,
        );
        if (got.length > 1) {
          assert.ok(got.length <= WAVES + 1, `chat m-${i}: at most one retry per crash`);
          assert.ok(recovered.includes(`direct:${chat}`), `chat m-${i}: the repeat is a recorded retry`);
        }
      }
      const left = await store.db.query<{ n: number }>(
        "SELECT count(*) AS n FROM lane_inbox WHERE state IN ('queued','running')",
      );
      assert.equal(Number(left[0]?.n), 0, "nothing left in the inbox");
    } finally {
      store.close();
    }
  } finally {
    await telegram.close();
    await provider.close();
  }
});
