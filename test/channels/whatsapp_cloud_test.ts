import assert from "node:assert/strict";
import { cloudDelivery, cloudText } from "../fakes/fake_whatsapp_cloud.ts";
import { APP_SECRET, cloudHarness, VERIFY_TOKEN } from "./whatsapp_cloud_helpers.ts";

const ALICE = "15550001111"; // allow-listed
const BOB = "15550002222"; // unknown

Deno.test("whatsapp cloud: a delivery without a valid X-Hub-Signature-256 is refused", async () => {
  const h = await cloudHarness();
  try {
    const payload = cloudDelivery(h.fake.phoneNumberId, [cloudText(ALICE, "wamid.1", "hi")]);
    for (const sig of ["none", "bad"] as const) {
      const res = await h.post(payload, sig);
      assert.equal(res.status, 401, `signature ${sig}`);
      await res.body?.cancel();
    }
    const forged = await fetch(h.url, {
      method: "POST",
      headers: { "x-hub-signature-256": "sha256=zz" },
      body: JSON.stringify(payload),
    });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    assert.equal(h.received.length, 0);
    const ok = await h.post(payload);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(h.received.length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: verify handshake answers the challenge only for the right token", async () => {
  const h = await cloudHarness();
  try {
    const q = (token: string, mode = "subscribe") =>
      `${h.url}?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
    const good = await fetch(q(VERIFY_TOKEN));
    assert.equal(good.status, 200);
    assert.equal(await good.text(), "1158201444");
    for (
      const url of [q("wrong-token-0123456789"), q(VERIFY_TOKEN.slice(0, -1)), q(VERIFY_TOKEN, "unsubscribe")]
    ) {
      const res = await fetch(url);
      assert.equal(res.status, 403);
      await res.body?.cancel();
    }
    const bare = await fetch(h.url);
    assert.equal(bare.status, 403);
    await bare.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: DM → reply through the Graph API, formatted, quoting the message", async () => {
  const h = await cloudHarness();
  try {
    const res = await h.post(
      cloudDelivery(h.fake.phoneNumberId, [cloudText(ALICE, "wamid.A1", "  hello  ")], {
        names: { [ALICE]: "Alice" },
      }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const { inbound, route } = h.received[0]!;
    assert.deepEqual(inbound.peer, { kind: "direct", id: "+15550001111" });
    assert.deepEqual(inbound.sender, { id: "+15550001111", name: "Alice" });
    assert.equal(inbound.text, "hello");
    assert.equal(route.sessionKey, "agent:main:whatsapp:direct:+15550001111");
    const [sent] = h.fake.sent();
    assert.equal(sent?.to, ALICE);
    assert.equal(sent?.recipient_type, "individual");
    assert.equal(sent?.text?.body, "*echo*: hello");
    assert.deepEqual(sent?.context, { message_id: "wamid.A1" });
    assert.equal(h.adapter.status().connected, true);
    assert.ok(h.adapter.status().lastEventAt);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: long replies are chunked at textChunkLimit on paragraph boundaries", async () => {
  const h = await cloudHarness({ account: { textChunkLimit: 300 } });
  try {
    const para = "word ".repeat(50).trim();
    await h.adapter.send({ peer: { kind: "direct", id: "+15550001111" } }, {
      text: `${para}\n\n${para}\n\n${para}`,
    });
    const sent = h.fake.sent();
    assert.equal(sent.length, 3);
    for (const s of sent) assert.equal(s.text?.body, para);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: group policy — unlisted group dropped, listed group needs a mention", async () => {
  const h = await cloudHarness({
    account: { groups: { "GRP-1": { requireMention: true } }, groupPolicy: "allowlist" },
  });
  try {
    const deliver = async (msg: Record<string, unknown>) => {
      const res = await h.post(cloudDelivery(h.fake.phoneNumberId, [msg]));
      assert.equal(res.status, 200);
      await res.body?.cancel();
    };
    await deliver(cloudText(BOB, "wamid.G1", "hi all", { group_id: "GRP-OTHER" }));
    await deliver(cloudText(BOB, "wamid.G2", "hi all", { group_id: "GRP-1" }));
    assert.equal(h.received.length, 0);
    await deliver(cloudText(BOB, "wamid.G3", "@15550009999 what's up", { group_id: "GRP-1" }));
    await deliver(
      cloudText(BOB, "wamid.G4", "and you?", {
        group_id: "GRP-1",
        context: { from: "15550009999", id: "wamid.OUT1" },
      }),
    );
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["what's up", "and you?"]);
    assert.deepEqual(h.received[0]!.inbound.peer, { kind: "group", id: "GRP-1" });
    assert.equal(h.received[0]!.route.sessionKey, "agent:main:whatsapp:group:GRP-1");
    assert.equal(h.fake.sent()[0]?.recipient_type, "group");
    assert.equal(h.fake.sent()[0]?.to, "GRP-1");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: pairing — unknown sender gets a code, approved sender gets through", async () => {
  const h = await cloudHarness();
  try {
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [cloudText(BOB, "wamid.P1", "hello?")]))).body
      ?.cancel();
    assert.equal(h.received.length, 0);
    const code = /pairing code: ([A-Z2-9]{8})/.exec(h.fake.sent()[0]?.text?.body ?? "")?.[1];
    assert.ok(code, "a pairing code was sent");
    assert.equal(h.fake.sent()[0]?.to, BOB);
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [cloudText(BOB, "wamid.P2", "again")]))).body
      ?.cancel();
    assert.equal(h.fake.sent().length, 1, "no second code while one is pending");
    assert.ok(await h.pairing.approve("whatsapp", code!));
    assert.equal(await h.pairing.isApproved("whatsapp", "biz", "+15550002222"), true);
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [cloudText(BOB, "wamid.P3", "now?")]))).body
      ?.cancel();
    assert.deepEqual(h.received.map((r) => r.inbound.text), ["now?"]);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: allowlist — numbers match in any spelling, others are refused silently", async () => {
  const h = await cloudHarness({ account: { dmPolicy: "allowlist", allowFrom: ["+1 (555) 000-1111"] } });
  try {
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [cloudText(BOB, "wamid.L1", "let me in")]))).body
      ?.cancel();
    assert.equal(h.received.length, 0);
    assert.equal(h.fake.sent().length, 0, "allowlist mode sends no pairing code");
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [cloudText(ALICE, "wamid.L2", "me")]))).body
      ?.cancel();
    assert.deepEqual(h.received.map((r) => r.inbound.sender.id), ["+15550001111"]);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: deliveries for another phone number id, statuses and junk are ignored", async () => {
  const h = await cloudHarness();
  try {
    const other = await h.post(cloudDelivery("999", [cloudText(ALICE, "wamid.X1", "hi")]));
    assert.equal(other.status, 200);
    await other.body?.cancel();
    const junk = await h.post({
      entry: [{
        changes: [{
          field: "messages",
          value: {
            metadata: { phone_number_id: h.fake.phoneNumberId },
            messages: [{ from: "not-a-number", id: "x", type: "text" }, { type: "text" }],
          },
        }],
      }],
    });
    assert.equal(junk.status, 200);
    await junk.body?.cancel();
    const notJson = await fetch(h.url, {
      method: "POST",
      headers: {
        "x-hub-signature-256": await (await import("../fakes/fake_whatsapp_cloud.ts")).hubSignature(
          APP_SECRET,
          "{",
        ),
      },
      body: "{",
    });
    assert.equal(notJson.status, 400);
    await notJson.body?.cancel();
    assert.equal(h.received.length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: an image is downloaded into the media dir with a size cap", async () => {
  const h = await cloudHarness({ account: { mediaMaxBytes: 1000 } });
  try {
    h.fake.addMedia("MID-1", new Uint8Array(600).fill(7), "image/jpeg");
    h.fake.addMedia("MID-2", new Uint8Array(2000), "image/jpeg");
    await (await h.post(cloudDelivery(h.fake.phoneNumberId, [
      {
        from: ALICE,
        id: "wamid.M1",
        timestamp: "1767000000",
        type: "image",
        image: { id: "MID-1", mime_type: "image/jpeg", caption: "look" },
      },
      {
        from: ALICE,
        id: "wamid.M2",
        timestamp: "1767000000",
        type: "image",
        image: { id: "MID-2", mime_type: "image/jpeg" },
      },
    ]))).body?.cancel();
    const [first, second] = h.received.map((r) => r.inbound);
    assert.equal(first?.text, "look");
    assert.equal(first?.media?.[0]?.kind, "image");
    assert.equal(first?.media?.[0]?.bytes, 600);
    assert.ok(first?.media?.[0]?.path.startsWith(`${h.mediaDir}/whatsapp/biz/`));
    assert.equal((await Deno.readFile(first!.media![0]!.path)).length, 600);
    assert.equal(second?.media, undefined, "an oversized file is skipped; the message still arrives");
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: media out is uploaded then sent by id", async () => {
  const h = await cloudHarness();
  try {
    const path = `${h.mediaDir}/chart.png`;
    await Deno.writeFile(path, new Uint8Array(64));
    await h.adapter.send({ peer: { kind: "direct", id: "+15550001111" } }, {
      text: "",
      media: [{ kind: "image", path, mime: "image/png", name: "chart.png" }],
    });
    assert.deepEqual(h.fake.uploads, [{ type: "image/png", name: "chart.png", bytes: 64 }]);
    assert.deepEqual(h.fake.sent()[0]?.image, { id: "media-1" });
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: 429 and throughput errors are retryable rate limits; a 400 is final", async () => {
  const h = await cloudHarness();
  try {
    const target = { peer: { kind: "direct" as const, id: "+15550001111" } };
    h.fake.failNext(1, 429);
    await assert.rejects(
      h.adapter.send(target, { text: "x" }),
      (e: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(e.code, "RATE_LIMITED");
        assert.equal(e.retryable, true);
        return true;
      },
    );
    h.fake.failNext(1, 400, 131056);
    await assert.rejects(h.adapter.send(target, { text: "x" }), { code: "RATE_LIMITED" });
    h.fake.failNext(1, 400, 131026);
    await assert.rejects(h.adapter.send(target, { text: "x" }), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.retryable, false);
      assert.match(e.message, /code 131026/);
      return true;
    });
    assert.ok(h.adapter.status().lastError);
  } finally {
    await h.close();
  }
});

Deno.test("whatsapp cloud: typing indicator and read receipts only with sendReadReceipts", async () => {
  const off = await cloudHarness({ echo: false });
  try {
    await (await off.post(cloudDelivery(off.fake.phoneNumberId, [cloudText(ALICE, "wamid.T0", "hi")]))).body
      ?.cancel();
    off.adapter.startTyping({ peer: { kind: "direct", id: "+15550001111" } })();
    assert.equal(off.fake.posts.length, 0);
  } finally {
    await off.close();
  }
  const on = await cloudHarness({ echo: false, account: { sendReadReceipts: true } });
  try {
    await (await on.post(cloudDelivery(on.fake.phoneNumberId, [cloudText(ALICE, "wamid.T1", "hi")]))).body
      ?.cancel();
    const stop = on.adapter.startTyping({ peer: { kind: "direct", id: "+15550001111" } });
    await on.fake.waitFor(() => on.fake.posts.some((p) => p.typing_indicator), "typing indicator");
    stop();
    assert.ok(on.fake.posts.every((p) => p.status === "read" && p.message_id === "wamid.T1"));
  } finally {
    await on.close();
  }
});
