/**
 * Control UI pages in Chromium against the real gateway (issue 16, items 7–11 and 16): the Runs list with
 * filters, Logs that follow and download, the Overview's idle state and usage periods, rate-limited
 * sign-in, Config redaction and the unsaved-changes warning, and an accessibility check of every page in
 * both colour schemes.
 */
import assert from "node:assert/strict";
import { checkA11y } from "./a11y.ts";
import { textOf, until } from "./browser.ts";
import { chromium, go, sendChat, withUi } from "./ui_harness.ts";

const PAGES = ["/", "/chat", "/sessions", "/runs", "/channels", "/approvals", "/config", "/logs"];

Deno.test({
  name: "control UI pages: runs list, logs follow, overview, sign-in limits, config, accessibility",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withUi({
      agents: { defaults: { model: { primary: "echo/echo" } } },
      gateway: { auth: { maxFailures: 2, lockoutMs: 4000 } },
      providers: {
        fake: { api: "openai-chat", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-stored-secret" },
      },
    }, async ({ gw, page, browser, shoot, consoleErrors }) => {
      await go(page, "/chat");
      const okRun = await sendChat(page, "for the runs page");
      await page.waitForSelector(`.msg.assistant[data-run="${okRun}"][data-state="final"]`, {
        timeout: 20_000,
      });

      await t.step("9: overview says idle when nothing runs; usage for today / 7 / 30 days", async () => {
        await go(page, "/");
        await until(page, `document.querySelector("#ov-state")?.textContent === "idle"`, 20_000);
        // Issue 14: the Control UI shows the effective outer bound of tool calls.
        await until(
          page,
          `document.querySelector("#ov-bound")?.textContent.includes("Tool calls are bounded by")`,
        );
        await page.waitForSelector('#usage-table tr[data-agent="main"]');
        for (const d of ["7", "30", "1"]) {
          await page.click(`#usage-period button[data-days="${d}"]`);
          await until(
            page,
            `document.querySelector('#usage-period button[data-days="${d}"]').getAttribute("aria-pressed") === "true"`,
          );
          await page.waitForSelector('#usage-table tr[data-agent="main"]');
        }
        assert.ok(!(await textOf(page, "main")).includes("down"));
      });

      await t.step(
        "7: the Runs page lists runs with their facts; filters; a row opens its timeline",
        async () => {
          await go(page, "/runs");
          const row = `#runs-table tr[data-run="${okRun}"]`;
          await page.waitForSelector(row, { timeout: 20_000 });
          const cells = await page.$eval(row, (tr) => [...tr.children].map((td) => td.textContent ?? ""));
          assert.equal(cells[1], "ok");
          assert.match(cells[2]!, /webchat/);
          assert.equal(cells[3], "agent:main:main");
          assert.equal(cells[4], "echo/echo");
          assert.match(cells[6]!, /\d/);
          await page.select("#runs-status", "error");
          await until(page, `!document.querySelector('${row}')`);
          await page.select("#runs-status", "");
          await page.waitForSelector(row);
          await page.type("#runs-session", "agent:main:other");
          await page.keyboard.press("Tab");
          await until(page, `!document.querySelector('${row}')`);
          await page.click("#runs-session", { count: 3 });
          await page.keyboard.press("Backspace");
          await page.keyboard.press("Tab");
          await page.waitForSelector(row);
          await shoot(page, "runs-list");
          await page.click(`${row} a.runlink`);
          await until(page, `document.querySelector("#run-id")?.textContent === ${JSON.stringify(okRun)}`);
          await page.waitForSelector('#timeline li[data-kind="ingress"]');
        },
      );

      await t.step("8: logs follow new lines, stop when scrolled up, jump to latest, download", async () => {
        const atBottom = `(() => { const e = document.querySelector("#log-lines");
          return e.scrollHeight - e.scrollTop - e.clientHeight < 24; })()`;
        await go(page, "/chat");
        for (let i = 0; i < 4; i++) {
          const r = await sendChat(page, `log line ${i}`);
          await page.waitForSelector(`.msg.assistant[data-run="${r}"][data-state="final"]`, {
            timeout: 20_000,
          });
        }
        await go(page, "/logs");
        await page.select("#log-level", "debug");
        await until(page, `document.querySelectorAll("#log-lines .log").length > 10`, 20_000);
        await until(page, atBottom);
        const raws = await page.$$eval("#log-lines .log", (ls) => ls.map((l) => l.textContent));
        assert.equal(new Set(raws).size, raws.length, "no line twice");
        await page.evaluate(`document.querySelector("#log-lines").scrollTop = 0;
          document.querySelector("#log-lines").dispatchEvent(new Event("scroll"))`);
        await page.waitForSelector("#log-jump");
        await page.click("#log-jump");
        await until(page, atBottom);
        const dir = await Deno.makeTempDir({ prefix: "talon-dl-" });
        try {
          const cdp = await page.createCDPSession();
          await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });
          await page.click("#log-download");
          const deadline = Date.now() + 10_000;
          let files: string[] = [];
          while (Date.now() < deadline) {
            files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".log"));
            if (files.length) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          assert.equal(files.length, 1, "downloaded a .log file");
          const text = await Deno.readTextFile(`${dir}/${files[0]}`);
          assert.ok(text.trim().split("\n").length > 5);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });

      await t.step("11: raw config shows secrets redacted; unsaved changes warn before leaving", async () => {
        await go(page, "/config");
        await page.click("#raw-tab");
        // The raw text is the stored config once it has loaded (before, it is the empty draft).
        await page.waitForSelector("#config-raw[data-loaded]");
        const raw = await page.$eval("#config-raw", (t) => (t as unknown as { value: string }).value);
        assert.ok(!raw.includes("sk-stored-secret"));
        assert.match(raw, /\[redacted\]/);
        await page.evaluate(`(() => {
          const ta = document.querySelector("#config-raw");
          const raw = JSON.parse(ta.value);
          raw.logging = { ...(raw.logging ?? {}), level: "debug" };
          ta.value = JSON.stringify(raw, null, 2);
          ta.dispatchEvent(new Event("input", { bubbles: true }));
        })()`);
        await page.waitForSelector("#config-unsaved");
        await page.evaluate(`globalThis.confirm = (m) => ((globalThis.__asked = m), false)`);
        await page.click('nav.tabs a[href="/logs"]');
        await until(page, `location.pathname === "/config"`);
        assert.match(String(await page.evaluate("globalThis.__asked")), /unsaved/i);
        await page.click("#config-apply");
        await page.waitForSelector("#config-saved");
        await until(page, `!document.querySelector("#config-unsaved")`);
        const saved = JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`));
        assert.equal(saved.providers.fake.apiKey, "sk-stored-secret", "the stored secret is kept");
        assert.equal(saved.logging.level, "debug");
      });

      await t.step("16: no serious accessibility violations on any page, light and dark", async () => {
        const found: string[] = [];
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
          for (const p of PAGES) {
            await go(page, p);
            await page.waitForSelector("main .page-head h1");
            await new Promise((r) => setTimeout(r, 300));
            for (const v of await checkA11y(page)) {
              found.push(`${scheme} ${p}: ${v.rule} ${v.target} ${v.detail}`);
            }
          }
        }
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
        assert.deepEqual(found, []);
      });

      await t.step("16: keyboard: skip link, labelled chat input, attach button reachable", async () => {
        await go(page, "/chat");
        await page.waitForSelector("#chat-input");
        assert.equal(await page.$eval("#chat-input", (e) => e.labels?.[0]?.textContent ?? ""), "Message");
        await page.focus("#chat-attach");
        assert.equal(await page.evaluate(`document.activeElement?.id`), "chat-attach");
        await page.focus(".chat-log");
        await page.evaluate(`document.querySelector("a.skip-link[href='#chat-input']").click()`);
        await until(page, `location.hash === "#chat-input" || document.activeElement?.id === "chat-input"`);
      });

      await t.step(
        "10: rate-limited sign-in counts down with a cancel; the token field has focus",
        async () => {
          const p = await browser.newPage();
          await p.goto(gw.url + "/", { waitUntil: "domcontentloaded" });
          await p.waitForSelector("#token");
          assert.equal(await p.evaluate(`document.activeElement?.id`), "token");
          for (let i = 0; i < 3; i++) {
            await p.click("#token", { count: 3 });
            await p.type("#token", `wrong-token-${i}-0123456789abcdef`);
            await p.click("button[type=submit]");
            await p.waitForSelector("#signin-error");
            if (await p.$("#signin-countdown")) break;
            await until(
              p,
              `!document.querySelector("button[type=submit]").disabled || !!document.querySelector("#signin-countdown")`,
            );
          }
          await p.waitForSelector("#signin-countdown", { timeout: 10_000 });
          assert.match(await textOf(p, "#signin-error"), /Too many attempts — try again in \d+ s/);
          const n1 = Number(await textOf(p, "#signin-countdown"));
          await until(p, `Number(document.querySelector("#signin-countdown")?.textContent) < ${n1}`);
          await shoot(p, "signin-rate-limited");
          await p.click("#signin-cancel");
          await until(p, `!document.querySelector("#signin-countdown")`);
          await p.close();
        },
      );

      await t.step("no console errors", () => assert.deepEqual(consoleErrors, []));
    });
  },
});
