import assert from "node:assert/strict";
import { ALICE, dmChat, telegramHarness, waitOffset } from "./telegram_helpers.ts";
import { runPairing } from "../../src/cli/pairing.ts";

Deno.test("telegram: DM round trip through the sink, reply as HTML", async () => {
  const h = await telegramHarness({
    onAccept: async (inbound, route, adapter) => {
      await adapter.send({ peer: inbound.peer, threadId: inbound.threadId }, {
        text: `**echo:** ${inbound.text}`,
        replyTo: inbound.messageId,
      });
      assert.equal(route.sessionKey, "agent:main:telegram:direct:42");
    },
  });
  try {
    h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "hello <world>", message_id: 77 });
    await h.fake.waitForSent((s) => s.length === 1);
    const [sent] = h.fake.sent;
    assert.equal(sent?.chat_id, "42");
    assert.equal(sent?.parse_mode, "HTML");
    assert.equal(sent?.text, "<b>echo:</b> hello &lt;world&gt;");
    assert.equal(sent?.reply_to, 77);
    const inbound = h.received[0]!.inbound;
    assert.equal(inbound.sender.username, "alice");
    assert.equal(inbound.messageId, "42:77");
    assert.ok(h.adapter.status().connected);
    assert.equal(h.adapter.status().botName, "@talon_bot");
  } finally {
    await h.close();
  }
});

Deno.test("telegram: group messages need a mention (@bot, /cmd@bot or reply-to-bot)", async () => {
  const h = await telegramHarness({ account: { groups: { "-100": { requireMention: true } } } });
  try {
    const chat = { id: -100, type: "supergroup" as const, title: "team" };
    h.fake.pushMessage({ chat, from: ALICE, text: "just chatting" });
    h.fake.pushMessage({ chat: { id: -200, type: "group" }, from: ALICE, text: "@talon_bot other group" });
    h.fake.pushMessage({
      chat,
      from: ALICE,
      text: "@talon_bot what time is it?",
      entities: [{ type: "mention", offset: 0, length: 10 }],
    });
    const last = h.fake.pushMessage({
      chat,
      from: { id: 5, first_name: "Bob" },
      text: "and you?",
      reply_to_message: {
        message_id: 1,
        date: 0,
        chat,
        from: { id: 999, is_bot: true, first_name: "Talon" },
      },
    });
    await waitOffset(h, last + 1);
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["what time is it?", "and you?"]);
    assert.equal(h.received[0]!.route.sessionKey, "agent:main:telegram:group:-100");
    assert.equal(h.fake.sent.length, 0, "nothing is sent to gated messages");
  } finally {
    await h.close();
  }
});

Deno.test("telegram: forum topics get a thread key and replies go to the topic", async () => {
  const h = await telegramHarness({
    account: { groups: { "-300": { requireMention: false } } },
    onAccept: (inbound, _route, adapter) =>
      adapter.send({ peer: inbound.peer, threadId: inbound.threadId }, { text: "ok" }).then(() => {}),
  });
  try {
    const chat = { id: -300, type: "supergroup" as const, title: "forum", is_forum: true };
    h.fake.pushMessage({ chat, from: ALICE, text: "in topic", message_thread_id: 7, is_topic_message: true });
    await h.fake.waitForSent((s) => s.length === 1);
    assert.equal(h.received[0]!.route.sessionKey, "agent:main:telegram:group:-300:thread:7");
    assert.equal(h.fake.sent[0]!.message_thread_id, 7);
    const stop = h.adapter.startTyping({ peer: { kind: "group", id: "-300" }, threadId: "7" });
    stop();
    stop();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(h.fake.actions, [{ chat_id: "-300", action: "typing", message_thread_id: 7 }]);
  } finally {
    await h.close();
  }
});

Deno.test("telegram: long replies are chunked to 4096 with code blocks intact", async () => {
  const h = await telegramHarness();
  try {
    const code = Array.from({ length: 400 }, (_, i) => `console.log("line ${i}");`).join("\n");
    const text = `Intro paragraph.\n\n\`\`\`js\n${code}\n\`\`\`\n\nOutro.`;
    const res = await h.adapter.send({ peer: { kind: "direct", id: "42" } }, { text });
    assert.ok(h.fake.sent.length >= 3);
    assert.equal(res.messageIds.length, h.fake.sent.length);
    for (const s of h.fake.sent) {
      const visible = s.text!.replace(/<[^>]+>/g, "").replace(/&lt;|&gt;|&amp;|&quot;/g, "x");
      assert.ok(visible.length <= 4096, `visible length ${visible.length}`);
      assert.equal((s.text!.match(/<pre>/g) ?? []).length, (s.text!.match(/<\/pre>/g) ?? []).length);
    }
    const lines = h.fake.sent.map((s) => s.text).join("\n").split("\n").filter((l) =>
      l.includes("console.log")
    );
    assert.equal(lines.length, 400);
  } finally {
    await h.close();
  }
});

Deno.test("telegram: rejected HTML falls back to plain text", async () => {
  const h = await telegramHarness();
  try {
    h.fake.rejectHtml = true;
    await h.adapter.send({ peer: { kind: "direct", id: "42" } }, { text: "**bold** <b>" });
    assert.equal(h.fake.sent.length, 1);
    assert.equal(h.fake.sent[0]!.parse_mode, undefined);
    assert.equal(h.fake.sent[0]!.text, "**bold** <b>");
  } finally {
    await h.close();
  }
});

Deno.test("telegram: 429 with retry_after and 502 are retried", async () => {
  const h = await telegramHarness();
  try {
    h.fake.failNext("sendMessage", { status: 429, retryAfter: 1 }, { status: 502 });
    const started = Date.now();
    await h.adapter.send({ peer: { kind: "direct", id: "42" } }, { text: "persist" });
    assert.ok(Date.now() - started >= 900, "waited retry_after");
    assert.equal(h.fake.calls.filter((c) => c.method === "sendMessage").length, 3);
    assert.equal(h.fake.sent.length, 1);
    h.fake.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    await assert.rejects(
      h.adapter.send({ peer: { kind: "direct", id: "1" } }, { text: "x" }),
      (e: Error) => e.name === "ChannelError" && /chat not found/.test(e.message),
    );
  } finally {
    await h.close();
  }
});

Deno.test("telegram: pairing end to end — code sent, approved via the CLI, next message passes", async () => {
  const h = await telegramHarness({ account: { allowFrom: [] } });
  try {
    const stranger = { id: 77, first_name: "Sam", username: "sam" };
    h.fake.pushMessage({ chat: dmChat(77), from: stranger, text: "hi bot" });
    await h.fake.waitForSent((s) => s.length === 1);
    const code = /pairing code: ([A-Z2-9]{8})/.exec(h.fake.sent[0]!.text!)?.[1];
    assert.ok(code, h.fake.sent[0]!.text ?? "no text");
    assert.equal(h.received.length, 0);
    const out: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      env: {},
      interactive: false,
    };
    assert.equal(await runPairing(["list"], io, h.pairing), 0);
    assert.match(out.join("\n"), new RegExp(`${code}\\s+telegram/default\\s+sam \\(77\\)`));
    assert.equal(await runPairing(["approve", "telegram", "WRONGCDE"], io, h.pairing), 1);
    assert.equal(await runPairing(["approve", "telegram", code], io, h.pairing), 0);
    h.fake.pushMessage({ chat: dmChat(77), from: stranger, text: "am I in?" });
    await h.waitReceived(1);
    assert.equal(h.received[0]!.inbound.text, "am I in?");
    assert.equal(h.fake.sent.length, 1, "no second code");
  } finally {
    await h.close();
  }
});

Deno.test("telegram: a restart resumes at the stored offset without re-processing", async () => {
  const h = await telegramHarness();
  try {
    h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "one" });
    const second = h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "two" });
    await waitOffset(h, second + 1);
    await h.adapter.stop();
    const third = h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "three" });
    const again = await h.restart();
    await h.waitReceived(3);
    await waitOffset(h, third + 1);
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["one", "two", "three"]);
    assert.ok(again.status().running);
    const offsets = h.fake.calls.filter((c) => c.method === "getUpdates").map((c) => Number(c.params.offset));
    assert.ok(offsets.includes(second + 1), "the restarted adapter asked from the stored offset");
  } finally {
    await h.close();
  }
});

Deno.test("telegram: an update the sink could not store is fetched again, not skipped", async () => {
  let calls = 0;
  const got: string[] = [];
  const h = await telegramHarness({
    sink: {
      accept(inbound) {
        if (++calls === 1) return Promise.reject(new Error("inbox unavailable"));
        got.push(inbound.text);
        return Promise.resolve({ accepted: true });
      },
    },
  });
  try {
    const id = h.fake.pushMessage({ chat: dmChat(), from: ALICE, text: "important" });
    await waitOffset(h, id + 1);
    assert.deepEqual(got, ["important"]);
    assert.match(h.adapter.status().lastError ?? "", /inbox unavailable/);
  } finally {
    await h.close();
  }
});

Deno.test("telegram: webhook refuses requests without the secret token", async () => {
  const secret = "s3cret-s3cret-s3cret";
  const h = await telegramHarness({
    account: { mode: "webhook", webhookSecret: secret, webhookUrl: "https://example.test/tg" },
  });
  try {
    assert.deepEqual(h.fake.webhook, { url: "https://example.test/tg", secret_token: secret });
    const update = {
      update_id: 5,
      message: { message_id: 1, date: 1, chat: dmChat(), from: ALICE, text: "via hook" },
    };
    const post = (headers: Record<string, string>, body = JSON.stringify(update)) =>
      h.adapter.webhook.request("/", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ "X-Telegram-Bot-Api-Secret-Token": "wrong-wrong-wrong!!" })).status, 401);
    assert.equal(h.received.length, 0);
    assert.equal((await post({ "X-Telegram-Bot-Api-Secret-Token": secret }, "{not json")).status, 400);
    assert.equal((await post({ "X-Telegram-Bot-Api-Secret-Token": secret })).status, 200);
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["via hook"]);
    assert.equal(
      h.fake.calls.filter((c) => c.method === "getUpdates").length,
      0,
      "no polling in webhook mode",
    );
  } finally {
    await h.close();
  }
});

Deno.test("telegram: photos are downloaded to the media dir; oversize files are skipped", async () => {
  const h = await telegramHarness({ account: { mediaMaxBytes: 1000 } });
  try {
    h.fake.addFile("ph1", new Uint8Array(500).fill(7), "photos/ph1.jpg");
    h.fake.addFile("doc1", new Uint8Array(5000), "docs/big.pdf");
    h.fake.pushMessage({
      chat: dmChat(),
      from: ALICE,
      caption: "look",
      photo: [{ file_id: "ph1", file_unique_id: "U1", width: 10, height: 10, file_size: 500 }],
    });
    const last = h.fake.pushMessage({
      chat: dmChat(),
      from: ALICE,
      caption: "big",
      document: { file_id: "doc1", file_unique_id: "U2", file_name: "big.pdf", file_size: 5000 },
    });
    await waitOffset(h, last + 1);
    const [photo, doc] = h.received.map((r) => r.inbound);
    assert.equal(photo?.text, "look");
    assert.equal(photo?.media?.[0]?.kind, "image");
    assert.ok(photo?.media?.[0]?.path.startsWith(`${h.mediaDir}/telegram/default/`));
    assert.deepEqual(await Deno.readFile(photo!.media![0]!.path), new Uint8Array(500).fill(7));
    assert.equal(doc?.media, undefined, "oversize document skipped");
    assert.equal(doc?.text, "big");
  } finally {
    await h.close();
  }
});
