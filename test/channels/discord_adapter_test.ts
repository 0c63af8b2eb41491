import assert from "node:assert/strict";
import { configSchema } from "../../src/config/schema.ts";
import { discordAccountSchema } from "../../src/config/sections/channels.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import type { Route } from "../../src/routing/resolve_route.ts";
import { createDiscordAdapter, type DiscordAdapter } from "../../src/channels/discord/adapter.ts";
import type { PipelineOutcome } from "../../src/channels/pipeline.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/fake_discord.ts";

const GUILD = "300000000000000001";
const GENERAL = "300000000000000010";
const QUIET = "300000000000000011";
const THREAD = "300000000000000020";
const MOD_ROLE = "300000000000000099";
const ALICE = { id: "400000000000000001", username: "alice" };

async function harness(account: Record<string, unknown> = {}, echo = true) {
  const fake = startFakeDiscord({
    heartbeatMs: 1000,
    guilds: [{
      id: GUILD,
      channels: [{ id: GENERAL, name: "general" }, { id: QUIET, name: "quiet" }],
      threads: [{ id: THREAD, name: "topic", parent_id: GENERAL }],
      roles: [MOD_ROLE],
    }],
  });
  const store = await openStore({ url: ":memory:" });
  const mediaDir = await Deno.makeTempDir({ prefix: "talon-dc-" });
  const received: Array<{ inbound: InboundMessage; route: Route }> = [];
  const outcomes: PipelineOutcome[] = [];
  const routeConfig = configSchema.parse({ session: { dmScope: "per-channel-peer" } });
  const adapter: DiscordAdapter = createDiscordAdapter({
    accountId: "bot1",
    config: discordAccountSchema.parse({
      botToken: fake.token,
      apiRoot: fake.api,
      allowFrom: [ALICE.id],
      guilds: { [GUILD]: { channels: [GENERAL], requireMention: true } },
      ...account,
    }),
    pairing: createPairingRepo(store.db),
    mediaDir,
    routeConfig: () => routeConfig,
    sink: {
      async accept(inbound, route) {
        received.push({ inbound, route });
        if (echo) {
          await adapter.send({ peer: inbound.peer, threadId: inbound.threadId }, {
            text: `echo: ${inbound.text}`,
            replyTo: inbound.messageId,
          });
        }
        return { accepted: true };
      },
    },
  });
  adapter.onHandled((o) => outcomes.push(o));
  await adapter.start();
  return {
    fake,
    adapter,
    received,
    outcomes,
    mediaDir,
    async close() {
      await adapter.stop();
      await fake.close();
      store.close();
      await Deno.remove(mediaDir, { recursive: true });
    },
  };
}

const waitOutcomes = (h: { fake: FakeDiscord; outcomes: unknown[] }, n: number) =>
  h.fake.waitFor(() => h.outcomes.length >= n, `${n} handled messages`);

Deno.test("discord: DM and guild round trips, mention gating, allowlisted channels, threads", async () => {
  const h = await harness();
  try {
    assert.equal(h.fake.identifies, 1);
    assert.equal(h.adapter.status().connected, true);
    // DM from an allowed sender.
    const dmId = h.fake.message({ channelId: "500000000000000001", author: ALICE, content: "hi in DM" });
    await h.fake.waitFor(() => h.fake.sent.length === 1, "DM reply");
    assert.deepEqual(h.fake.sent[0], {
      channelId: "500000000000000001",
      content: "echo: hi in DM",
      replyTo: dmId,
      id: h.fake.sent[0]!.id,
    });
    assert.equal(h.received[0]!.route.sessionKey, `agent:main:discord:direct:${ALICE.id}`);
    // Guild message without a mention: gated.
    h.fake.message({ channelId: GENERAL, guildId: GUILD, author: ALICE, content: "no mention" });
    // Mentioned, but in a channel that is not allowlisted.
    h.fake.message({
      channelId: QUIET,
      guildId: GUILD,
      author: ALICE,
      content: `<@${h.fake.botUser.id}> here?`,
      mentions: [h.fake.botUser.id],
    });
    // Mentioned in an allowed channel.
    h.fake.message({
      channelId: GENERAL,
      guildId: GUILD,
      author: ALICE,
      content: `<@${h.fake.botUser.id}> status?`,
      mentions: [h.fake.botUser.id],
    });
    // Reply to the bot in a thread of the allowed channel.
    h.fake.message({
      channelId: THREAD,
      guildId: GUILD,
      author: { id: "2", username: "bob" },
      content: "and here",
      replyToBot: true,
    });
    await waitOutcomes(h, 5);
    assert.deepEqual(h.outcomes.map((o) => o.status === "dropped" ? o.reason : o.status), [
      "accepted",
      "mention-required",
      "group-not-allowed",
      "accepted",
      "accepted",
    ]);
    assert.equal(h.received[1]!.inbound.text, "status?");
    assert.equal(h.received[1]!.route.sessionKey, `agent:main:discord:channel:${GENERAL}`);
    assert.equal(h.received[2]!.route.sessionKey, `agent:main:discord:channel:${GENERAL}:thread:${THREAD}`);
    await h.fake.waitFor(() => h.fake.sent.length === 3, "guild replies");
    assert.deepEqual(h.fake.sent.slice(1).map((s) => s.channelId), [GENERAL, THREAD]);
  } finally {
    await h.close();
  }
});

Deno.test("discord: role allowlist admits only members with the role", async () => {
  const h = await harness({ guilds: { [GUILD]: { roles: [MOD_ROLE], requireMention: false } } }, false);
  try {
    h.fake.message({ channelId: GENERAL, guildId: GUILD, author: ALICE, content: "no role" });
    h.fake.message({
      channelId: GENERAL,
      guildId: GUILD,
      author: ALICE,
      content: "mod here",
      roles: [MOD_ROLE],
    });
    await waitOutcomes(h, 2);
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["mod here"]);
    assert.deepEqual(h.received[0]!.inbound.roles, [MOD_ROLE]);
  } finally {
    await h.close();
  }
});

Deno.test("discord: replies are chunked to 2000 characters; typing hits the channel", async () => {
  const h = await harness({}, false);
  try {
    const text = Array.from({ length: 600 }, (_, i) => `word${i}`).join(" ");
    const res = await h.adapter.send({ peer: { kind: "channel", id: GENERAL } }, { text });
    assert.ok(h.fake.sent.length >= 3);
    assert.equal(res.messageIds.length, h.fake.sent.length);
    for (const s of h.fake.sent) assert.ok(s.content.length <= 2000);
    assert.equal(h.fake.sent.map((s) => s.content).join(" "), text);
    const stop = h.adapter.startTyping({ peer: { kind: "channel", id: GENERAL } });
    await h.fake.waitFor(() => h.fake.typing.length === 1, "typing");
    stop();
    assert.deepEqual(h.fake.typing, [GENERAL]);
  } finally {
    await h.close();
  }
});

Deno.test("discord: media are uploaded as attachments after the text", async () => {
  const h = await harness({}, false);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/report.pdf`, new Uint8Array([37, 80, 68, 70]));
    const res = await h.adapter.send({ peer: { kind: "channel", id: GENERAL } }, {
      text: "the report",
      media: [{ kind: "document", path: `${dir}/report.pdf`, name: "report.pdf" }],
    });
    assert.equal(res.messageIds.length, 2);
    assert.equal(h.fake.sent[0]!.content, "the report");
    assert.deepEqual(h.fake.sent[1]!.files, ["report.pdf"]);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("discord: a dropped connection RESUMEs the session and misses nothing", async () => {
  const h = await harness({}, false);
  try {
    const sessionId = h.fake.sessionId;
    h.fake.dropConnection();
    // Sent while disconnected: replayed after RESUME.
    h.fake.message({ channelId: "500000000000000001", author: ALICE, content: "while away" });
    await h.fake.waitFor(() => h.fake.resumes.length === 1, "RESUME");
    assert.equal(h.fake.resumes[0]!.session_id, sessionId);
    assert.equal(h.fake.identifies, 1, "no new IDENTIFY");
    await h.fake.waitFor(() => h.received.length === 1, "replayed message");
    h.fake.message({ channelId: "500000000000000001", author: ALICE, content: "after" });
    await h.fake.waitFor(() => h.received.length === 2, "message after resume");
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["while away", "after"]);
    await h.fake.waitFor(() => h.adapter.status().connected, "connected status");
  } finally {
    await h.close();
  }
});

Deno.test("discord: attachments are downloaded with a size cap", async () => {
  const h = await harness({}, false);
  try {
    const small = h.fake.addFile("a.png", new Uint8Array(64).fill(1));
    const big = h.fake.addFile("b.bin", new Uint8Array(10));
    h.fake.message({
      channelId: "500000000000000001",
      author: ALICE,
      content: "files",
      attachments: [
        { id: "600000000000000001", filename: "a.png", size: 64, url: small, content_type: "image/png" },
        { id: "600000000000000002", filename: "b.bin", size: 50 * 1024 * 1024, url: big },
      ],
    });
    await h.fake.waitFor(() => h.received.length === 1, "message with files");
    const media = h.received[0]!.inbound.media ?? [];
    assert.equal(media.length, 1);
    assert.equal(media[0]!.kind, "image");
    assert.deepEqual(await Deno.readFile(media[0]!.path), new Uint8Array(64).fill(1));
  } finally {
    await h.close();
  }
});
