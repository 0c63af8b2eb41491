/**
 * The Channels page links a WhatsApp web account: an admin sees "Link (show QR)", which starts the
 * gateway's real Baileys socket (against a local WebSocket URL here, so no QR ever comes); a read-only
 * session sees the button disabled. The QR rendering itself is covered by link_methods_test (SVG) and
 * channels_link_test (terminal).
 */
import assert from "node:assert/strict";
import { textOf, until } from "./browser.ts";
import { chromium, ECHO_CONFIG, go, withUi } from "./ui_harness.ts";

Deno.test({
  name: "control UI: WhatsApp link panel — admin starts linking, read-only cannot",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let upgrades = 0;
    const wa = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      upgrades++;
      socket.onopen = () => socket.close(1011, "not whatsapp");
      return response;
    });
    try {
      await withUi({
        ...ECHO_CONFIG,
        channels: {
          whatsapp: {
            accounts: { default: { mode: "web", waWebSocketUrl: `ws://127.0.0.1:${wa.addr.port}/ws/chat` } },
          },
        },
      }, async ({ gw, page, newPage, shoot }) => {
        await go(page, "/channels");
        const panel = '.card.channel[data-channel="whatsapp"] .link-panel';
        assert.match(await textOf(page, panel), /Not linked yet/);
        await page.waitForSelector(`${panel} button.primary:not([disabled])`);
        await shoot(page, "channels-whatsapp-not-linked");
        await page.click(`${panel} button.primary`);
        await until(page, `!document.querySelector(${JSON.stringify(`${panel} button`)})`, 15_000);
        const deadline = Date.now() + 15_000;
        while (upgrades < 1) {
          if (Date.now() > deadline) throw new Error("the gateway never opened a WhatsApp socket");
          await new Promise((r) => setTimeout(r, 20));
        }

        await gw.store.credentials.put({
          name: "ui-reader",
          kind: "operator",
          scopes: ["read"],
          token: "r".repeat(40),
        });
        await gw.auth.reload();
        const reader = await newPage({ token: "r".repeat(40), path: "/channels" });
        const button = await reader.waitForSelector(`${panel} button[disabled]`, { timeout: 15_000 });
        assert.match((await button!.evaluate((b) => b.textContent)) ?? "", /needs an admin connection/);
        // And the gateway itself refuses a read-scoped credential, whatever the page shows.
        const readClient = await gw.connect({ token: "r".repeat(40) });
        try {
          await assert.rejects(
            readClient.request("channels.login", { channel: "whatsapp" }),
            (e: Error & { code?: string }) => e.code === "FORBIDDEN" || e.code === "UNAUTHORIZED",
          );
          await assert.rejects(readClient.request("channels.logout", { channel: "whatsapp" }), Error);
        } finally {
          await readClient.close();
        }
      });
    } finally {
      await wa.shutdown();
    }
  },
});
