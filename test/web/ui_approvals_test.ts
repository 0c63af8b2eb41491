/**
 * Control UI approvals in place and the chat's place in the URL (issue 16, items 3 and 4): the pending
 * exec approval is decided inside the chat run (admins only), the Approvals tab shows a count, the page
 * title carries it and a browser notification is shown; session and agent live in the URL and "Open in
 * chat" opens a session with its own agent.
 */
import assert from "node:assert/strict";
import { textOf, until } from "./browser.ts";
import { chromium, go, sendChat, withUi } from "./ui_harness.ts";

Deno.test({
  name: "control UI approvals in place, counts, notifications; session and agent in the URL",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withUi({
      agents: {
        defaults: { model: { primary: "echo/echo" } },
        list: [{ id: "main" }, { id: "helper", name: "Helper" }],
      },
    }, async ({ gw, cli, browser, page, withPage, shoot, consoleErrors }) => {
      await t.step(
        "4: the approval appears in the chat run; count on the tab, in the title, notified",
        async () => {
          await browser.defaultBrowserContext().overridePermissions(gw.url, ["notifications"]);
          await page.evaluateOnNewDocument(`(() => {
          const shown = (globalThis.__notes = []);
          globalThis.Notification = class { static permission = "granted";
            static requestPermission() { return Promise.resolve("granted"); }
            constructor(title, opts) { shown.push(title + ": " + (opts?.body ?? "")); } };
        })()`);
          await page.reload({ waitUntil: "domcontentloaded" });
          await page.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
          await go(page, "/chat");
          const runId = await sendChat(page, '/tool exec {"argv":["echo","in place"]}');
          const card = `.msg.assistant[data-run="${runId}"] .card.approval.inline`;
          await page.waitForSelector(card, { timeout: 20_000 });
          // The real program the approval binds, confined, without network.
          assert.match(await textOf(page, `${card} .command`), /^\/usr\/bin\/echo ("in place"|'in place')$/);
          assert.match(await textOf(page, card), /confined.*network: no/s);
          assert.equal(await textOf(page, "#approvals-count"), "1");
          await until(page, `document.title === "(1) Talon"`);
          const notes = await page.evaluate("globalThis.__notes") as string[];
          assert.ok(
            notes.some((n) => n.includes("approval needed") && n.includes("in place")),
            notes.join("; "),
          );
          await shoot(page, "chat-approval-inline");
          await page.click(`${card} button.primary`);
          await page.waitForSelector(`.msg.assistant[data-run="${runId}"][data-state="final"]`, {
            timeout: 20_000,
          });
          assert.match(await textOf(page, `.msg.assistant[data-run="${runId}"]`), /stdout:\s+in place/);
          await until(page, `!document.querySelector("#approvals-count") && document.title === "Talon"`);
        },
      );

      await t.step(
        "4: a non-admin session sees the approval but no buttons; the gateway refuses it",
        async () => {
          await gw.store.credentials.put({
            name: "ui-writer",
            kind: "operator",
            scopes: ["write"],
            token: "w".repeat(40),
          });
          await gw.auth.reload();
          await withPage({ token: "w".repeat(40), path: "/chat" }, async (writer) => {
            const done = cli.request("agent", {
              message: '/tool exec {"argv":["echo","admin only"]}',
              sessionKey: "agent:main:main",
            }, { timeoutMs: 30_000, onAck: () => {} });
            await writer.waitForSelector(".msg.assistant .card.approval.inline", { timeout: 20_000 });
            assert.equal(await writer.$(".msg.assistant .card.approval.inline button"), null);
            assert.match(await textOf(writer, ".card.approval.inline .not-admin"), /Only an admin/);
            const id = await writer.$eval(".card.approval.inline", (e) => e.getAttribute("data-approval")!);
            const { connectGateway } = await import("../../src/gateway/client.ts");
            const w = await connectGateway({ url: gw.wsUrl, token: "w".repeat(40), timeoutMs: 30_000 });
            try {
              await assert.rejects(
                w.request("approval.resolve", { id, decision: "allow-once" }),
                /scope|FORBIDDEN|admin/i,
              );
            } finally {
              await w.close();
            }
            await cli.request("approval.resolve", { id, decision: "deny" });
            await done;
          });
        },
      );

      await t.step("3: session and agent in the URL, kept across pages and reloads; New chat", async () => {
        await go(page, "/chat?session=agent%3Ahelper%3Amain");
        await until(page, `document.querySelector("#agent-picker")?.value === "helper"`);
        await until(page, `location.search === "?agent=helper&session=agent%3Ahelper%3Amain"`);
        const runId = await sendChat(page, "/status");
        await page.waitForSelector(`.msg.assistant[data-run="${runId}"][data-state="final"]`, {
          timeout: 20_000,
        });
        assert.match(await textOf(page, `.msg.assistant[data-run="${runId}"] .bubble`), /Agent: helper/);
        await go(page, "/");
        await page.click('nav.tabs a[href^="/chat"]');
        await until(page, `location.search === "?agent=helper&session=agent%3Ahelper%3Amain"`);
        await page.reload({ waitUntil: "domcontentloaded" });
        await until(page, `document.querySelector("#session-picker")?.value === "agent:helper:main"`, 20_000);
        await page.click("#new-chat");
        await until(
          page,
          `/^\\?agent=helper&session=agent%3Ahelper%3Awebchat%3A[0-9a-f]{10}$/.test(location.search)`,
        );
        assert.equal(await page.$$eval(".chat-log .msg", (m) => m.length), 0);
      });

      await t.step("3: 'Open in chat' opens that exact session with its own agent", async () => {
        const sent = await cli.request<{ runId: string }>("chat.send", {
          sessionKey: "agent:helper:other",
          text: "hello helper",
        });
        await cli.request("agent.wait", { runId: sent.runId, timeoutMs: 20_000 }, { timeoutMs: 25_000 });
        await go(page, "/sessions?session=agent%3Ahelper%3Aother");
        await page.waitForSelector("#transcript .msg.user", { timeout: 20_000 });
        await page.click('.page-head a[href^="/chat"]');
        await until(page, `document.querySelector("#agent-picker")?.value === "helper"`);
        assert.equal(
          await page.$eval("#session-picker", (s) => (s as unknown as { value: string }).value),
          "agent:helper:other",
        );
        await page.waitForSelector(".msg.user", { timeout: 20_000 });
      });

      await t.step("no console errors", () => assert.deepEqual(consoleErrors, []));
    });
  },
});
