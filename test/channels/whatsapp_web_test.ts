import assert from "node:assert/strict";
import { closeWith, deliver, ME, waMessage } from "../fakes/fake_wa_socket.ts";
import { webHarness } from "./whatsapp_web_helpers.ts";

const ALICE_JID = "15550001111@s.whatsapp.net"; // allow-listed
const BOB_JID = "15550002222@s.whatsapp.net";
const GROUP = "120363025246125486@g.us";

const dm = (id: string, text: string, from = ALICE_JID) =>
  waMessage({
    key: { remoteJid: from, fromMe: false, id },
    message: { conversation: text },
    pushName: "Alice",
  });

Deno.test("whatsapp web: DM → one reply, formatted, quoting the message; presence while typing", async () => {
  const h = await webHarness();
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    assert.deepEqual(h.adapter.link(), { state: "linked", number: "+15550009999" });
    assert.equal(h.adapter.status().botName, "+15550009999");
    deliver(sock, dm("M1", "  hi **there**  "));
    await h.waitReceived(1);
    const { inbound, route } = h.received[0]!;
    assert.deepEqual(inbound.peer, { kind: "direct", id: "+15550001111" });
    assert.deepEqual(inbound.sender, { id: "+15550001111", name: "Alice" });
    assert.equal(inbound.ts, 1767000000_000);
    assert.equal(route.sessionKey, "agent:main:whatsapp:direct:+15550001111");
    await h.until(() => sock.sent.length === 1, "reply");
    assert.deepEqual(sock.sent[0], {
      jid: ALICE_JID,
      content: { text: "*echo* hi **there**".replace("**there**", "*there*") },
      quotedId: "M1",
    });
    const stop = h.adapter.startTyping({ peer: inbound.peer });
    stop();
    stop();
    assert.deepEqual(sock.presence, [{ type: "composing", jid: ALICE_JID }, {
      type: "paused",
      jid: ALICE_JID,
    }]);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: group — no mention dropped; @mention or reply to the bot accepted", async () => {
  const h = await webHarness({ account: { groups: { [GROUP]: { requireMention: true } } } });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    const inGroup = (id: string, message: Record<string, unknown>) =>
      waMessage({
        key: { remoteJid: GROUP, fromMe: false, id, participant: "15550002222@s.whatsapp.net" },
        message,
      });
    deliver(
      sock,
      inGroup("G1", { conversation: "chatting among ourselves" }),
      inGroup("G2", {
        extendedTextMessage: {
          text: "@15550009999 what time is it?",
          contextInfo: { mentionedJid: [ME.id.replace(":7", "")] },
        },
      }),
      inGroup("G3", {
        extendedTextMessage: {
          text: "thanks!",
          contextInfo: { participant: ME.lid, stanzaId: "OUT1", quotedMessage: { conversation: "x" } },
        },
      }),
      waMessage({
        key: { remoteJid: "120363000000000000@g.us", id: "G4", participant: "15550002222@s.whatsapp.net" },
        message: { conversation: "@15550009999 other group" },
      }),
    );
    await h.waitReceived(2);
    await h.until(() => sock.sent.length === 2, "two replies");
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["what time is it?", "thanks!"]);
    assert.deepEqual(h.received[0]!.inbound.peer, { kind: "group", id: GROUP });
    assert.equal(h.received[0]!.inbound.sender.id, "+15550002222");
    assert.equal(h.received[0]!.route.sessionKey, `agent:main:whatsapp:group:${GROUP}`);
    assert.ok(sock.sent.every((s) => s.jid === GROUP));
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: a LID-addressed group member is resolved to their number via group metadata", async () => {
  const h = await webHarness({ account: { groups: { "*": { requireMention: false } } }, echo: false });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    deliver(
      sock,
      waMessage({
        key: { remoteJid: GROUP, id: "L1", participant: "55443322@lid" },
        message: { conversation: "hello" },
      }),
    );
    await h.waitReceived(1);
    assert.equal(h.received[0]!.inbound.sender.id, "+15550003333");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: reconnect redelivering the same messages answers once", async () => {
  const h = await webHarness();
  try {
    const first = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    deliver(first, dm("R1", "one"), dm("R2", "two"));
    await h.until(() => first.sent.length === 2, "two replies");
    closeWith(first, 428);
    const second = await h.fake.waitSockets(2);
    await h.until(() => h.adapter.status().connected, "reconnected");
    // WhatsApp redelivers what it thinks was not handled, plus a new one.
    deliver(second, dm("R1", "one"), dm("R2", "two"), dm("R3", "three"));
    await h.waitReceived(3);
    await h.until(() => second.sent.length === 1, "one new reply");
    assert.deepEqual(h.received.map((r) => r.inbound.messageId), ["R1", "R2", "R3"]);
    assert.equal(first.sent.length + second.sent.length, 3);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: logged out → no reconnect, status says to re-link", async () => {
  const h = await webHarness();
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    closeWith(sock, 401);
    await h.until(() => h.adapter.link().state === "logged-out", "logged out");
    assert.match(h.adapter.status().lastError!, /re-link/);
    assert.equal(h.adapter.status().connected, false);
    await assert.rejects(
      h.adapter.send({ peer: { kind: "direct", id: "+15550001111" } }, { text: "x" }),
      (e: Error & { retryable?: boolean }) => e.retryable === true && /not connected/.test(e.message),
    );
    assert.equal(h.fake.sockets.length, 1, "no reconnect after a logout");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: own messages and status broadcasts are ignored; self-chat mode answers the owner once", async () => {
  const off = await webHarness();
  try {
    const sock = await off.fake.waitSockets(1);
    await off.until(() => off.adapter.status().connected, "connected");
    deliver(
      sock,
      waMessage({
        key: { remoteJid: "status@broadcast", id: "S1", participant: ALICE_JID },
        message: { conversation: "my status" },
      }),
      waMessage({
        key: { remoteJid: ALICE_JID, fromMe: true, id: "S2" },
        message: { conversation: "I wrote this" },
      }),
      waMessage({
        key: { remoteJid: "15550009999@s.whatsapp.net", fromMe: true, id: "S3" },
        message: { conversation: "note to self" },
      }),
      waMessage({ key: { remoteJid: ALICE_JID, id: "S4" }, message: { reactionMessage: { text: "👍" } } }),
      dm("S5", "real"),
    );
    await off.waitReceived(1);
    await off.until(() => sock.sent.length === 1, "one reply");
    assert.deepEqual(off.received.map((r) => r.inbound.messageId), ["S5"]);
  } finally {
    await off.close();
  }
  const on = await webHarness({ account: { selfChat: true, allowFrom: ["+15550009999", "+15550001111"] } });
  try {
    const sock = await on.fake.waitSockets(1);
    await on.until(() => on.adapter.status().connected, "connected");
    deliver(
      sock,
      waMessage({
        key: { remoteJid: "15550009999@s.whatsapp.net", fromMe: true, id: "N1" },
        message: { conversation: "remind me" },
      }),
    );
    await on.until(() => sock.sent.length === 1, "reply in the self chat");
    // Our own reply comes back as a fromMe message in the same chat: it must not be answered.
    deliver(
      sock,
      waMessage({
        key: { remoteJid: "15550009999@s.whatsapp.net", fromMe: true, id: sock.sent.length ? "OUT1" : "x" },
        message: { conversation: "*echo* remind me" },
      }),
    );
    deliver(
      sock,
      waMessage({
        key: { remoteJid: ALICE_JID, fromMe: true, id: "N2" },
        message: { conversation: "to alice" },
      }),
    );
    deliver(sock, dm("N3", "sync"));
    await on.waitReceived(2);
    assert.deepEqual(on.received.map((r) => r.inbound.messageId), ["N1", "N3"]);
    assert.equal(on.received[0]!.inbound.sender.id, "+15550009999");
  } finally {
    await on.close();
  }
});

Deno.test("whatsapp web: pairing — unknown DM gets a code, approved sender gets through", async () => {
  const h = await webHarness();
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    deliver(sock, dm("P1", "hello?", BOB_JID));
    await h.until(() => sock.sent.length === 1, "pairing code");
    const code = /pairing code: ([A-Z2-9]{8})/.exec((sock.sent[0]!.content as { text: string }).text)?.[1];
    assert.ok(code);
    assert.equal(sock.sent[0]!.jid, BOB_JID);
    assert.equal(h.received.length, 0);
    assert.ok(await h.pairing.approve("whatsapp", code!));
    deliver(sock, dm("P2", "now?", BOB_JID));
    await h.waitReceived(1);
    assert.equal(h.received[0]!.inbound.sender.id, "+15550002222");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: allowlist — a listed number in JID form passes, others get nothing", async () => {
  const h = await webHarness({
    account: { dmPolicy: "allowlist", allowFrom: ["15550002222@s.whatsapp.net"] },
  });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    deliver(sock, dm("A1", "hi", ALICE_JID), dm("A2", "hi", BOB_JID));
    await h.waitReceived(1);
    await h.until(() => sock.sent.length === 1, "one reply");
    assert.deepEqual(h.received.map((r) => r.inbound.messageId), ["A2"]);
    assert.equal(sock.sent[0]!.jid, BOB_JID);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: media in (image, voice note, document) within the cap; too big skipped", async () => {
  const h = await webHarness({ account: { mediaMaxBytes: 1000, sendReadReceipts: true }, echo: false });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    h.fake.media.set("I1", new Uint8Array(100).fill(1));
    h.fake.media.set("V1", new Uint8Array(200).fill(2));
    h.fake.media.set("D1", new Uint8Array(300).fill(3));
    deliver(
      sock,
      waMessage({
        key: { remoteJid: ALICE_JID, id: "I1" },
        message: { imageMessage: { caption: "see", mimetype: "image/jpeg", fileLength: 100 } },
      }),
      waMessage({
        key: { remoteJid: ALICE_JID, id: "V1" },
        message: { audioMessage: { mimetype: "audio/ogg; codecs=opus", ptt: true, fileLength: 200 } },
      }),
      waMessage({
        key: { remoteJid: ALICE_JID, id: "D1" },
        message: {
          documentWithCaptionMessage: {
            message: {
              documentMessage: {
                fileName: "r.pdf",
                mimetype: "application/pdf",
                caption: "report",
                fileLength: 300,
              },
            },
          },
        },
      }),
      waMessage({
        key: { remoteJid: ALICE_JID, id: "BIG" },
        message: { imageMessage: { caption: "huge", mimetype: "image/jpeg", fileLength: 5000 } },
      }),
    );
    await h.waitReceived(4);
    const [img, voice, doc, big] = h.received.map((r) => r.inbound);
    assert.equal(img!.text, "see");
    assert.deepEqual([img!.media?.[0]?.kind, img!.media?.[0]?.bytes], ["image", 100]);
    assert.ok(img!.media![0]!.path.endsWith("/media/whatsapp/default/I1.jpg"));
    assert.equal((await Deno.stat(img!.media![0]!.path)).mode! & 0o777, 0o600);
    assert.deepEqual([voice!.media?.[0]?.kind, voice!.media?.[0]?.mime], ["audio", "audio/ogg"]);
    assert.deepEqual([doc!.text, doc!.media?.[0]?.name, doc!.media?.[0]?.bytes], ["report", "r.pdf", 300]);
    assert.equal(big!.media, undefined);
    await h.until(() => sock.read.length === 4, "read receipts");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: media out and chunked text", async () => {
  const h = await webHarness({ account: { textChunkLimit: 300 } });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    const path = `${h.dir}/chart.png`;
    await Deno.writeFile(path, new Uint8Array(10));
    const para = "word ".repeat(50).trim();
    const res = await h.adapter.send({ peer: { kind: "group", id: GROUP } }, {
      text: `${para}\n\n${para}`,
      media: [{ kind: "image", path, mime: "image/png" }, { kind: "document", path, name: "c.png" }],
    });
    assert.equal(res.messageIds.length, 4);
    assert.deepEqual(sock.sent.map((s) => Object.keys(s.content)[0]), ["text", "text", "image", "document"]);
    assert.equal((sock.sent[3]!.content as { fileName: string }).fileName, "c.png");
    await assert.rejects(
      h.adapter.send({ peer: { kind: "direct", id: "not a number" } }, { text: "x" }),
      TypeError,
    );
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: not linked → no socket; login shows a QR then a pairing code; logout removes credentials", async () => {
  const h = await webHarness({ linked: false });
  try {
    assert.equal(h.adapter.link().state, "not-linked");
    assert.match(h.adapter.status().lastError!, /not linked/);
    assert.equal(h.fake.sockets.length, 0);
    h.fake.onOpen = (s) => setTimeout(() => s.emit("connection.update", { qr: "2@QRDATA" }));
    const info = await h.adapter.login({ phoneNumber: "+1 555 000 9999", waitMs: 2000 });
    assert.equal(info.state, "linking");
    assert.equal(info.qr, "2@QRDATA");
    const withCode = info.pairingCode ? info : await h.adapter.linkChanged(2000);
    assert.equal(withCode.pairingCode, "ABCD1234");
    // The phone scans: WhatsApp asks for a restart (515), then the new socket opens linked.
    h.fake.onOpen = (s) => setTimeout(() => s.emit("connection.update", { connection: "open" }));
    await Deno.mkdir(`${h.dir}/credentials/whatsapp/default`, { recursive: true });
    await Deno.writeTextFile(
      `${h.dir}/credentials/whatsapp/default/creds.json`,
      JSON.stringify({ me: { id: ME.id } }),
    );
    closeWith(h.fake.latest(), 515);
    await h.until(() => h.adapter.link().state === "linked", "linked");
    assert.equal(h.adapter.status().connected, true);
    await h.adapter.logout();
    assert.equal(h.fake.sockets[1]!.loggedOut, true);
    await assert.rejects(Deno.stat(`${h.dir}/credentials/whatsapp/default`), Deno.errors.NotFound);
    assert.equal(h.adapter.link().state, "not-linked");
    await assert.rejects(h.adapter.login({ phoneNumber: "call me" }), TypeError);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp web: principals — the owner's number (any spelling) is owner, a group member is group", async () => {
  const { channelPrincipal } = await import("../../src/app/channels.ts");
  const { configSchema } = await import("../../src/config/schema.ts");
  const config = configSchema.parse({
    channels: {
      whatsapp: {
        accounts: {
          default: { owners: ["1 (555) 000-1111"], groups: { [GROUP]: { requireMention: false } } },
        },
      },
    },
  });
  const h = await webHarness({
    account: { owners: ["1 (555) 000-1111"], groups: { [GROUP]: { requireMention: false } } },
  });
  try {
    const sock = await h.fake.waitSockets(1);
    await h.until(() => h.adapter.status().connected, "connected");
    deliver(
      sock,
      dm("O1", "hi"),
      waMessage({
        key: { remoteJid: GROUP, id: "O2", participant: BOB_JID },
        message: { conversation: "/approve x" },
      }),
      waMessage({
        key: { remoteJid: GROUP, id: "O3", participant: BOB_JID },
        message: { conversation: "hello" },
      }),
    );
    await h.waitReceived(2);
    const [owner, member] = h.received.map((r) => r.inbound);
    assert.deepEqual(channelPrincipal(config, owner!, { authorised: true }), {
      kind: "owner",
      id: "whatsapp:+15550001111",
    });
    assert.equal(member!.messageId, "O3", "an unlisted group member's command never reaches the agent");
    assert.deepEqual(channelPrincipal(config, member!, { authorised: false }), {
      kind: "group",
      id: "whatsapp:+15550002222",
    });
  } finally {
    await h.close();
  }
});
