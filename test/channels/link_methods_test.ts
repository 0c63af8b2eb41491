import assert from "node:assert/strict";
import { createLinkMethods } from "../../src/channels/link_methods.ts";
import { createChannelRegistry } from "../../src/channels/registry.ts";
import type { MethodContext, MethodDef } from "../../src/gateway/methods/registry.ts";
import { webHarness } from "./whatsapp_web_helpers.ts";
import { cloudHarness } from "./whatsapp_cloud_helpers.ts";

const ctx = { credentialId: "owner" } as MethodContext;
const call = (defs: MethodDef<unknown>[], name: string, params: unknown) => {
  const def = defs.find((d) => d.name === name)!;
  return def.handler(def.params.parse(params), ctx);
};

Deno.test("channels.login/logout: admin only; QR with SVG while linking; cloud and unknown accounts refused", async () => {
  const h = await webHarness({ linked: false });
  const cloud = await cloudHarness();
  try {
    const registry = createChannelRegistry();
    registry.add(h.adapter);
    registry.add(cloud.adapter);
    const defs = createLinkMethods({ channels: registry });
    // Linking decides whose WhatsApp the assistant speaks as: only an admin (owner) credential may.
    assert.deepEqual(defs.map((d) => [d.name, d.scope]), [["channels.login", "admin"], [
      "channels.logout",
      "admin",
    ]]);
    h.fake.onOpen = (s) => setTimeout(() => s.emit("connection.update", { qr: "2@LIVEQR" }));
    const view = await call(defs, "channels.login", {
      channel: "whatsapp",
      accountId: "default",
      waitMs: 2000,
    }) as {
      state: string;
      qr?: string;
      qrSvg?: string;
    };
    assert.equal(view.state, "linking");
    assert.equal(view.qr, "2@LIVEQR");
    assert.match(view.qrSvg!, /^<svg /);
    assert.deepEqual(h.adapter.status().link, { state: "linking" }, "channels.status never carries the QR");
    const again = await call(defs, "channels.login", { channel: "whatsapp", accountId: "default" }) as {
      qr?: string;
    };
    assert.equal(again.qr, "2@LIVEQR", "a second call shows the same live QR, no new socket");
    assert.equal(h.fake.sockets.length, 1);
    await assert.rejects(
      async () => await call(defs, "channels.login", { channel: "whatsapp", accountId: "biz" }),
      { code: "INVALID_REQUEST" },
    );
    await assert.rejects(
      async () => await call(defs, "channels.login", { channel: "whatsapp", accountId: "nope" }),
      { code: "NOT_FOUND" },
    );
    await assert.rejects(
      async () =>
        await call(defs, "channels.login", {
          channel: "whatsapp",
          accountId: "default",
          phoneNumber: "abcdefg",
        }),
      { code: "INVALID_REQUEST" },
    );
    assert.throws(() => defs[0]!.params.parse({ channel: "whatsapp", waitMs: 999_999 }));
    const out = await call(defs, "channels.logout", { channel: "whatsapp", accountId: "default" }) as {
      state: string;
    };
    assert.equal(out.state, "not-linked");
  } finally {
    await h.close();
    await cloud.close();
  }
});
