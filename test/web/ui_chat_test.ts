/**
 * Control UI chat in Chromium against the real gateway (issue 16, items 1, 2, 5, 6): Markdown replies,
 * text and tool steps in order, long tool output, pending/failed sends with retry, timestamps, the model
 * in the header, command replies kept across reload, and "starting…" for the first reply.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { clickSettled, dropSockets, textOf, until } from "./browser.ts";
import { chromium, go, sendChat, withUi } from "./ui_harness.ts";

const MARKDOWN = [
  "Here is **bold**, *em* and `code`.",
  "",
  "- one",
  "- two with [a link](https://example.com/x)",
  "",
  "1. first",
  "2. second",
  "",
  "> quoted",
  "",
  "| a | b |",
  "|---|--:|",
  "| 1 | 2 |",
  "",
  "```ts",
  "const x = 1;",
  "```",
  "",
  '[bad](javascript:alert(1)) <img src=x onerror="globalThis.__xss=1"> <b>raw</b>',
].join("\n");

Deno.test({
  name: "control UI chat: Markdown, step order, tool output, pending/retry, model, notes, starting…",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fake = createFakeOpenAI({ apiKey: "sk-test" });
    try {
      await withUi({
        agents: {
          defaults: { model: { primary: "echo/echo" } },
          list: [{ id: "main" }, { id: "scripted", model: { primary: "fake/gpt-fake" } }],
        },
        providers: { fake: { api: "openai-chat", baseUrl: fake.url, apiKey: "sk-test" } },
      }, async ({ gw, page, shoot, consoleErrors }) => {
        await Deno.writeTextFile(`${gw.home}/workspace/main/big.txt`, "0123456789".repeat(300)).catch(
          async () => {
            await Deno.mkdir(`${gw.home}/workspace/main`, { recursive: true });
            await Deno.writeTextFile(`${gw.home}/workspace/main/big.txt`, "0123456789".repeat(300));
          },
        );
        await go(page, "/chat");

        await t.step("6: the first reply shows 'starting…', never an empty bubble", async () => {
          await page.waitForSelector("#chat-input:not([disabled])");
          await page.evaluate(`(() => {
            const seen = (globalThis.__bubbles = []);
            new MutationObserver(() => {
              for (const m of document.querySelectorAll(".msg.assistant")) {
                const b = m.querySelector(".bubble");
                seen.push(b ? b.textContent : "(none)");
              }
            }).observe(document.querySelector(".chat-log"), { subtree: true, childList: true, characterData: true });
          })()`);
          const runId = await sendChat(page, "first");
          await page.waitForSelector(`.msg.assistant[data-run="${runId}"][data-state="final"]`, {
            timeout: 20_000,
          });
          const seen = await page.evaluate("globalThis.__bubbles") as string[];
          assert.ok(seen.includes("starting…"), JSON.stringify(seen.slice(0, 5)));
          assert.ok(!seen.some((s) => s === "" || s === "(none)"), "no empty assistant bubble");
        });

        await t.step("1: assistant Markdown is rendered and sanitised", async () => {
          await page.evaluate(
            `navigator.clipboard && (navigator.clipboard.writeText = async (t) => { globalThis.__copied = t; })`,
          );
          const runId = await sendChat(page, MARKDOWN);
          const item = `.msg.assistant[data-run="${runId}"][data-state="final"]`;
          await page.waitForSelector(item, { timeout: 20_000 });
          assert.equal(await textOf(page, `${item} .md strong`), "bold");
          assert.equal(await textOf(page, `${item} .md em`), "em");
          assert.equal(await page.$$eval(`${item} .md ul > li`, (l) => l.length), 2);
          assert.equal(await page.$$eval(`${item} .md ol > li`, (l) => l.length), 2);
          const link = await page.$eval(
            `${item} .md a[href="https://example.com/x"]`,
            (a) => [a.target, a.rel],
          );
          assert.deepEqual(link, ["_blank", "noopener noreferrer"]);
          assert.equal(await page.$(`${item} a[href^="javascript"]`), null, "no javascript: link");
          assert.equal(await page.$(`${item} img`), null, "no raw HTML");
          assert.equal(await page.$(`${item} b`), null, "no raw HTML");
          assert.match(await textOf(page, `${item} .md`), /<b>raw<\/b>/, "raw HTML stays visible as text");
          assert.equal(await page.evaluate("globalThis.__xss"), undefined);
          assert.equal(await textOf(page, `${item} .md blockquote`), "quoted");
          assert.equal(await textOf(page, `${item} .md table td:last-child`), "2");
          assert.equal(
            await page.$eval(`${item} .md table td:last-child`, (td) => td.getAttribute("style") ?? ""),
            "text-align: right;",
          );
          assert.equal(await textOf(page, `${item} .codeblock pre code`), "const x = 1;");
          await clickSettled(page, `${item} .codeblock button.copy`);
          await until(page, `globalThis.__copied === "const x = 1;"`);
          // The user's own message stays as typed.
          assert.ok(
            await page.$$eval(
              ".msg.user .bubble",
              (bs) => bs.some((b) => b.textContent!.includes("**bold**")),
            ),
          );
          await shoot(page, "chat-markdown");
        });

        await t.step("2: tool output beyond 1,200 characters: 'show all' and copy", async () => {
          const runId = await sendChat(page, '/tool read {"path":"big.txt"}');
          const item = `.msg.assistant[data-run="${runId}"]`;
          await page.waitForSelector(`${item}[data-state="final"] .tool.ok`, { timeout: 30_000 });
          await clickSettled(page, `${item} .tool summary`);
          const short = await page.$eval(`${item} .tool .output`, (e) => e.textContent!.length);
          assert.ok(short <= 1201, `preview ${short}`);
          await clickSettled(page, `${item} .tool .show-all`);
          await until(page, `document.querySelector('${item} .tool .output').textContent.length >= 3000`);
          await clickSettled(page, `${item} .tool button.copy`);
          await until(page, `(globalThis.__copied ?? "").length >= 3000`);
          // Not a chat command: no local note is kept for it.
          assert.ok(!(await page.evaluate("JSON.stringify(localStorage)") as string).includes("big.txt"));
        });

        await t.step(
          "2: text streamed before a tool call shows before its card, live and after reload",
          async () => {
            fake.enqueue(
              {
                text: "Checking the clock first.",
                toolCalls: [{ id: "call_1", name: "list", arguments: { path: "." } }],
              },
              { text: "Done: it is **late**." },
            );
            await go(page, "/chat?session=agent%3Ascripted%3Amain");
            await until(page, `document.querySelector("#agent-picker").value === "scripted"`);
            const runId = await sendChat(page, "what time is it?");
            const item = `.msg.assistant[data-run="${runId}"]`;
            await page.waitForSelector(`${item}[data-state="final"] .tool.ok`, { timeout: 30_000 });
            await until(page, `(document.querySelector('${item}')?.textContent ?? "").includes("Done")`);
            const order = () =>
              page.$$eval(
                `${item} > .bubble, ${item} > .tool`,
                (els) => els.map((e) => e.classList.contains("tool") ? "tool" : e.textContent!.trim()),
              );
            assert.deepEqual(await order(), ["Checking the clock first.", "tool", "Done: it is late."]);
            await shoot(page, "chat-step-order");
            await page.reload({ waitUntil: "domcontentloaded" });
            await page.waitForSelector(`${item} .tool`, { timeout: 20_000 });
            assert.deepEqual(await order(), ["Checking the clock first.", "tool", "Done: it is late."]);
          },
        );

        await t.step("5: timestamps on messages; the model is shown and changed with /model", async () => {
          await go(page, "/chat?session=agent%3Amain%3Amain");
          await page.waitForSelector(".msg.user time");
          await page.waitForSelector(".msg.assistant time");
          assert.match(await textOf(page, ".msg.user time"), /^\d\d:\d\d:\d\d$/);
          await until(page, `document.querySelector("#chat-model")?.value === "echo/echo"`);
          await page.click("#chat-model", { count: 3 });
          await page.type("#chat-model", "echo/second");
          await page.click(".model-bar button[type=submit]");
          await until(page, `document.querySelector("#chat-model")?.value === "echo/second"`, 20_000);
          await until(
            page,
            `[...document.querySelectorAll(".msg.assistant .bubble")].some((b) => b.textContent === "Model for this session: echo/second.")`,
          );
        });

        await t.step("5: slash-command replies persist across reload as local notes", async () => {
          const runId = await sendChat(page, "/status");
          await page.waitForSelector(`.msg.assistant[data-run="${runId}"][data-state="final"]`, {
            timeout: 20_000,
          });
          const reply = await textOf(page, `.msg.assistant[data-run="${runId}"] .bubble`);
          assert.match(reply, /echo\/second/);
          await page.reload({ waitUntil: "domcontentloaded" });
          await page.waitForSelector(`.msg.assistant.local[data-run="${runId}"]`, { timeout: 20_000 });
          assert.equal(await textOf(page, `.msg.assistant.local[data-run="${runId}"] .bubble`), reply);
          assert.equal(await textOf(page, `.msg.user.local[data-run="${runId}"] .bubble`), "/status");
        });

        await t.step("5: a message sent offline is pending until delivered", async () => {
          await page.waitForSelector('.pill[data-status="open"]');
          await page.setOfflineMode(true);
          assert.ok(await dropSockets(page) >= 1);
          // The socket's close event waits for the closing handshake, which a loaded machine can hold for
          // a long while: wait for the pill to leave "open" with a generous deadline, then check its state.
          await until(
            page,
            `document.querySelector(".pill[data-status]")?.getAttribute("data-status") !== "open"`,
            60_000,
          );
          await page.waitForSelector('.pill[data-status="reconnecting"]', { timeout: 10_000 });
          await page.type("#chat-input", "sent while offline");
          await page.keyboard.press("Enter");
          const pending = '.msg.user[data-pending="sending"]';
          await page.waitForSelector(pending);
          assert.match(await textOf(page, `${pending} .meta`), /pending/);
          await shoot(page, "chat-pending");
          await page.setOfflineMode(false);
          await page.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
          await until(page, `!document.querySelector('${pending}')`, 20_000);
          await until(
            page,
            `[...document.querySelectorAll(".msg.assistant .bubble")].some((b) => b.textContent.endsWith("sent while offline"))`,
            20_000,
          );
        });

        await t.step("5: a send that fails can be retried, and runs once", async () => {
          // The next chat.send frame is lost with the connection (as a network cut would do).
          await page.evaluate(`(() => {
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) {
              if (String(data).includes('"chat.send"') && !globalThis.__cut) {
                globalThis.__cut = true;
                this.close(4000, "test cut");
                return;
              }
              return send.call(this, data);
            };
          })()`);
          await page.type("#chat-input", "retry me");
          await page.keyboard.press("Enter");
          const failed = '.msg.user[data-pending="failed"]';
          await page.waitForSelector(failed, { timeout: 20_000 });
          assert.match(await textOf(page, `${failed} .meta`), /not sent/);
          await page.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
          await page.click(`${failed} button.retry`);
          await until(page, `!document.querySelector('${failed}')`, 20_000);
          await until(
            page,
            `[...document.querySelectorAll(".msg.assistant .bubble")].filter((b) => b.textContent.endsWith("retry me")).length === 1`,
            20_000,
          );
        });

        await t.step("no console errors", () => {
          assert.deepEqual(consoleErrors, []);
        });
      });
    } finally {
      await fake.close();
    }
  },
});
