/**
 * Control UI operations in Chromium against the real gateway (issue 16, remainders of items 3, 7 and 11):
 * earlier transcripts of a session (listed, opened read-only; another token does not see them), runs in
 * progress on the Runs page (live duration, updated when they end), and Config "Apply and restart" with
 * the banner while the gateway restarts, gone once the UI has reconnected.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { checkA11y } from "./a11y.ts";
import { textOf, until } from "./browser.ts";
import { addToken, eventually } from "../helpers/gateway.ts";
import { chromium, go, withUi } from "./ui_harness.ts";

Deno.test({
  name: "control UI ops: earlier transcripts, runs in progress, apply and restart",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fake = createFakeOpenAI({ apiKey: "sk-test" });
    try {
      await withUi({
        agents: {
          defaults: { model: { primary: "echo/echo" } },
          list: [{ id: "main" }, { id: "slow", model: { primary: "fake/gpt-fake" } }],
        },
        providers: { fake: { api: "openai-chat", baseUrl: fake.url, apiKey: "sk-test" } },
      }, async ({ gw, cli, page, withPage, shoot, consoleErrors }) => {
        const say = async (sessionKey: string, text: string) => {
          const { runId } = await cli.request<{ runId: string }>("chat.send", { sessionKey, text });
          await cli.request("agent.wait", { runId, timeoutMs: 30_000 }, { timeoutMs: 35_000 });
        };
        const key = "agent:main:webchat:ops";

        await t.step("3: earlier transcripts are listed and open read-only", async () => {
          await say(key, "the first conversation");
          await say(key, "/new");
          await say(key, "the second conversation");
          await go(page, `/sessions?session=${encodeURIComponent(key)}`);
          await page.waitForSelector("#earlier-transcripts li a");
          assert.match(await textOf(page, "#earlier-transcripts li"), /· 2 messages$/);
          await page.click("#earlier-transcripts li a");
          await page.waitForSelector("#read-only");
          await until(
            page,
            `document.querySelector("#transcript").textContent.includes("the first conversation")`,
          );
          const text = await textOf(page, "#transcript");
          assert.ok(!text.includes("the second conversation"), "only the earlier transcript");
          assert.match(await textOf(page, "#transcript-span"), /2 messages/);
          // Read-only: no reset, compact or delete here.
          assert.equal(await page.$$eval("main button", (b) => b.length), 0);
          assert.deepEqual(await checkA11y(page), []);
          await shoot(page, "earlier-transcript");
          await page.click("main .page-head a.button");
          await page.waitForSelector("#earlier-transcripts");
        });

        await t.step("3: a read/write token sees none of the owner's earlier transcripts", async () => {
          const token = await addToken(gw, ["read", "write"]);
          const listed = await cli.request<{ transcripts: { sessionId: string }[] }>("sessions.transcripts", {
            sessionKey: key,
          });
          const id = listed.transcripts[0]!.sessionId;
          await withPage({ token, path: `/sessions?session=${encodeURIComponent(key)}` }, async (other) => {
            await other.waitForSelector("#earlier-transcripts p.muted");
            assert.equal(await other.$("#earlier-transcripts li"), null);
            await go(other, `/sessions?session=${encodeURIComponent(key)}&transcript=${id}`);
            assert.match(await textOf(other, "main .error"), /No earlier transcript/);
            assert.ok(!(await textOf(other, "#transcript")).includes("the first conversation"));
          });
        });

        await t.step("7: a run in progress is listed with a live duration, then as finished", async () => {
          fake.enqueue({ text: "thinking", hangAfterChunks: 1 });
          const { runId } = await cli.request<{ runId: string }>("chat.send", {
            sessionKey: "agent:slow:main",
            text: "take your time",
          });
          await fake.waitForRequests(1);
          await go(page, "/runs");
          const row = `#runs-table tr[data-run="${runId}"]`;
          await page.waitForSelector(`${row}[data-status="running"]`, { timeout: 20_000 });
          assert.equal(await textOf(page, `${row} td:first-child`), "in progress");
          const first = await textOf(page, `${row} td.run-active`);
          await until(
            page,
            `document.querySelector('${row} td.run-active')?.textContent !== ${JSON.stringify(first)}`,
          );
          await page.select("#runs-status", "running");
          await page.waitForSelector(`${row}[data-status="running"]`);
          await page.select("#runs-status", "");
          await shoot(page, "runs-in-progress");
          // It ends elsewhere; the list follows without a reload.
          await cli.request("chat.abort", { runId });
          await page.waitForSelector(`${row}[data-status="aborted"]`, { timeout: 20_000 });
          assert.notEqual(await textOf(page, `${row} td:first-child`), "in progress");
        });

        await t.step("11: apply and restart shows a banner until the gateway is back", async () => {
          await go(page, "/config");
          await page.waitForSelector("#config-apply-restart:not([disabled])");
          await page.click("#raw-tab");
          await page.waitForSelector("#config-raw[data-loaded]");
          await page.evaluate(`(() => {
            const seen = (globalThis.__banner = []);
            new MutationObserver(() => {
              const b = document.querySelector("#restart-banner");
              if (b) seen.push(b.textContent);
            }).observe(document.body, { subtree: true, childList: true });
            const ta = document.querySelector("#config-raw");
            const raw = JSON.parse(ta.value);
            raw.agents.list.push({ id: "helper" });
            ta.value = JSON.stringify(raw, null, 2);
            ta.dispatchEvent(new Event("input", { bubbles: true }));
          })()`);
          const before = gw.store;
          await page.click("#config-apply-restart");
          // The banner may be up only briefly (an in-process restart is quick): the observer saw it.
          await until(page, `globalThis.__banner.length > 0`, 30_000).catch(async (err) => {
            const said = String(
              await page.evaluate(`document.querySelector("main").innerText.slice(0, 600)`),
            );
            throw new Error(`no restart banner (${err.message}); the page says: ${said}`);
          });
          assert.match((await page.evaluate("globalThis.__banner") as string[])[0]!, /restarting/i);
          // Back: the banner goes away and the page is connected to the restarted gateway.
          await until(page, `!document.querySelector("#restart-banner")`, 60_000);
          await page.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
          // A new gateway is running (it listens a moment before the supervisor hands it out).
          await eventually("the new gateway", () => Promise.resolve(gw.store !== before ? true : undefined));
          assert.match(await textOf(page, "#config-saved"), /Restarting the gateway to apply: agents/);
          await go(page, "/agents");
          await page.waitForSelector('#agents-table tr[data-agent="helper"]', { timeout: 20_000 });
          assert.deepEqual(await checkA11y(page), []);
        });

        await t.step("11: nothing to restart when the running config is what is saved", async () => {
          await go(page, "/config");
          // Apply waits for the stored config (an empty draft would wipe talon.json).
          await page.waitForSelector("#config-apply:not([disabled])");
          await page.click("#config-apply");
          assert.match(await textOf(page, "#config-saved"), /Nothing to restart/);
          assert.equal(await page.$("#config-restart"), null);
        });

        await t.step("no console errors", () => assert.deepEqual(consoleErrors, []));
      }, { restartable: true });
    } finally {
      await fake.close();
    }
  },
});
