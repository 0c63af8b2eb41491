/**
 * The Control UI end to end in real headless Chromium against a real in-process gateway. Methods whose
 * modules are built elsewhere are fakes registered on the live registry (test/fakes/web_fake_methods.ts).
 * Screenshots of every page (desktop/phone × light/dark) go to test/artifacts/web/.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { startTestGateway } from "../helpers/gateway.ts";
import { MILESTONE_KINDS, registerWebFakes } from "../fakes/web_fake_methods.ts";
import { registerUiMethods } from "../../src/gateway/methods/ui_methods.ts";
import { dropSockets, findChromium, instrumentSockets, launchBrowser, textOf, until } from "./browser.ts";

const chromium = findChromium();
const ARTIFACTS = new URL("../artifacts/web/", import.meta.url);

Deno.test({
  name: "control UI in Chromium",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using gw = await startTestGateway();
    const fakes = registerWebFakes(gw.registry, gw.bus);
    let clockOffset = 0;
    // RunningGateway does not expose the authenticator; a failed attempt makes it re-read credentials.
    const reloadAuth = async () => {
      await gw.connect({ token: "not-a-valid-token-xxxxxxxx" }).then((c) => c.close(), () => {});
    };
    const ui = registerUiMethods(gw.registry, {
      credentials: gw.store.credentials,
      audit: gw.store.audit,
      reloadAuth,
      configFile: `${gw.home}/talon.json`,
      env: { HOME: gw.home, TALON_HOME: gw.home },
      now: () => Date.now() + clockOffset,
    });
    const launched = await launchBrowser(chromium!);
    const requested: string[] = [];
    const token = gw.token.token;
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const page = await launched.browser.newPage();
      page.on("request", (r) => void requested.push(r.url()));
      await instrumentSockets(page);
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(gw.url + "/", { waitUntil: "domcontentloaded" });

      const historyAtStart = await page.evaluate("history.length");
      await t.step("a wrong token is refused and not kept", async () => {
        await page.waitForSelector("#token");
        await page.type("#token", "wrong-token-0123456789abcdef");
        await page.click("button[type=submit]");
        assert.match(await textOf(page, "#signin-error"), /refused this token/);
        assert.equal(await page.evaluate(`sessionStorage.getItem("talon.token")`), null);
      });

      await t.step("sign in with the gateway token; it stays out of every URL", async () => {
        await page.click("#token", { count: 3 });
        await page.type("#token", token);
        await page.click("button[type=submit]");
        await page.waitForSelector('.pill[data-status="open"]');
        assert.equal(await page.evaluate(`sessionStorage.getItem("talon.token")`), token);
        assert.ok(!page.url().includes(token));
        assert.equal(await page.evaluate("history.length"), historyAtStart, "sign-in adds no history entry");
        assert.match(await textOf(page, "#ov-active"), /^1$/);
        assert.match(await textOf(page, "#ov-queue"), /^3$/);
        assert.equal(await textOf(page, "#ov-cost"), "$0.42");
      });

      let chatRunId = "";
      await t.step("send a chat message and see the streamed reply with a tool card", async () => {
        await clickNav(page, "Chat");
        await page.waitForSelector("#chat-input:not([disabled])");
        await page.type("#chat-input", "hello talon");
        await page.keyboard.press("Enter");
        const run = await fakes.nextRun(1);
        chatRunId = run.runId;
        assert.equal(run.text, "hello talon");
        assert.equal(run.sessionKey, "agent:main:main");
        fakes.delta(run, "Hel");
        await until(
          page,
          `document.querySelector('.msg.assistant[data-run="${run.runId}"] .bubble')?.textContent === "Hel"`,
        );
        await page.waitForSelector("#stop");
        fakes.tool(run, "exec", { command: "ls -la" }, "total 0\nfile.txt", 35);
        await page.waitForSelector(`.msg.assistant[data-run="${run.runId}"] .tool.ok[data-tool="exec"]`);
        fakes.delta(run, "Hello the");
        await until(
          page,
          `document.querySelector('.msg.assistant[data-run="${run.runId}"] .bubble')?.textContent === "Hello the"`,
        );
        fakes.final(run, "Hello there!");
        await page.waitForSelector(`.msg.assistant[data-run="${run.runId}"][data-state="final"]`);
        assert.equal(await textOf(page, `.msg.assistant[data-run="${run.runId}"] .bubble`), "Hello there!");
        const tool = await textOf(page, `.msg.assistant[data-run="${run.runId}"] .tool summary`);
        assert.match(tool, /exec/);
        assert.match(tool, /35 ms/);
        assert.match(tool, /ls -la/);
        await page.waitForSelector("#send");
        await shoot(page, "chat");
      });

      await t.step("open the run timeline from the chat message; every milestone is shown", async () => {
        await page.click(`.msg.assistant[data-run="${chatRunId}"] a.runlink`);
        await page.waitForSelector("#timeline li");
        assert.equal(await textOf(page, "#run-id"), chatRunId);
        const kinds = await page.$$eval("#timeline li", (els) => els.map((e) => e.getAttribute("data-kind")));
        assert.deepEqual(kinds, [...MILESTONE_KINDS]);
        const attempt = await textOf(page, '#timeline li[data-kind="model.attempt"]');
        assert.match(attempt, /fake/);
        assert.match(attempt, /420/);
        assert.ok(new URL(page.url()).search.includes(chatRunId));
        await shoot(page, "runs");
      });

      await t.step("approve a pending tool call", async () => {
        fakes.approvals.push({
          id: "appr_1",
          tool: "exec",
          command: "rm -rf build/",
          cwd: "/home/me/workspace",
          sessionKey: "agent:main:main",
          runId: chatRunId,
          requestedAt: Date.now(),
        });
        await clickNav(page, "Approvals");
        await page.waitForSelector('[data-approval="appr_1"] .command');
        assert.match(await textOf(page, '[data-approval="appr_1"]'), /\/home\/me\/workspace/);
        await shoot(page, "approvals");
        await clickButton(page, '.card[data-approval="appr_1"]', "Allow once");
        await page.waitForSelector('#approval-history tr[data-approval="appr_1"]');
        assert.equal(fakes.approvals[0]!.decision, "allow-once");
        assert.match(await textOf(page, '#approval-history tr[data-approval="appr_1"]'), /allow-once/);
      });

      await t.step("a new approval request appears live", async () => {
        fakes.approvals.push({
          id: "appr_2",
          tool: "exec",
          command: "curl example.com",
          cwd: "/tmp",
          sessionKey: "agent:main:main",
          runId: chatRunId,
          requestedAt: Date.now(),
        });
        gw.bus.publish({ event: "approval.requested", payload: { id: "appr_2" } });
        await page.waitForSelector('.card[data-approval="appr_2"]');
        await clickButton(page, '.card[data-approval="appr_2"]', "Deny");
        await page.waitForSelector('#approval-history tr[data-approval="appr_2"]');
        assert.equal(fakes.approvals[1]!.decision, "deny");
      });

      await t.step("approve a pairing request", async () => {
        fakes.pairing.push({
          channel: "telegram",
          accountId: "default",
          senderId: "4242",
          senderName: "Alice",
          code: "ABCD2345",
          createdAt: Date.now(),
          expiresAt: Date.now() + 3600_000,
        });
        await clickNav(page, "Channels");
        await page.waitForSelector('tr[data-code="ABCD2345"]');
        assert.match(await textOf(page, '.channel[data-channel="discord"]'), /401 Unauthorized/);
        await shoot(page, "channels");
        await clickButton(page, 'tr[data-code="ABCD2345"]', "Approve");
        await until(page, `!document.querySelector('tr[data-code="ABCD2345"]')`);
        assert.equal(fakes.pairing[0]!.approved, true);
        assert.match(await textOf(page, ".notice"), /Approved Alice on telegram/);
      });

      await t.step(
        "config: an invalid value shows its error next to the field; a valid one is applied",
        async () => {
          await clickNav(page, "Config");
          const field = '.field[data-path="gateway.port"]';
          await page.waitForSelector('details[data-group="gateway"][open]');
          await page.waitForSelector(`${field} input`, { visible: true });
          await page.type(`${field} input`, "70000");
          assert.equal(await textOf(page, `${field} .field-error`), "must be at most 65535");
          await page.click("#config-apply");
          assert.equal(JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`)).gateway.port, 0);
          await shoot(page, "config");
          await page.click(`${field} input`, { count: 3 });
          await page.type(`${field} input`, "18801");
          await until(page, `!document.querySelector('${field} .field-error')`);
          await page.click("#config-apply");
          await page.waitForSelector("#config-saved");
          assert.equal(JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`)).gateway.port, 18801);
          const audit = await gw.store.audit.list({ kind: "config.change" });
          assert.equal(audit.length, 1);
        },
      );

      await t.step("config: the server's issues land next to the field too (raw editor → form)", async () => {
        await page.click("#raw-tab");
        await page.waitForSelector("#config-raw");
        await page.evaluate(`(() => {
          const ta = document.querySelector("#config-raw");
          const raw = JSON.parse(ta.value);
          raw.logging = { ...(raw.logging ?? {}), level: "loud" };
          ta.value = JSON.stringify(raw, null, 2);
          ta.dispatchEvent(new Event("input", { bubbles: true }));
        })()`);
        await page.click("#config-apply");
        assert.match(await textOf(page, "#raw-error"), /logging\.level/);
      });

      await t.step("logs: live tail with level filter and search", async () => {
        gw.logger.warn(`fake warning for ${chatRunId}`, { runId: chatRunId });
        await clickNav(page, "Logs");
        await until(page, `document.querySelector('#log-lines')?.textContent.includes('fake warning')`);
        await page.select("#log-level", "error");
        await until(page, `!document.querySelector('#log-lines')?.textContent.includes('fake warning')`);
        await page.select("#log-level", "debug");
        await page.type("#log-search", "fake warning");
        await until(page, `document.querySelectorAll('#log-lines .log').length === 1`);
        await shoot(page, "logs");
        await page.click("#log-lines a.runlink");
        await page.waitForSelector('#timeline li[data-kind="egress"]');
      });

      await t.step("sessions: list and transcript with run links", async () => {
        await clickNav(page, "Sessions");
        await page.waitForSelector("#sessions-table a");
        await shoot(page, "sessions");
        await page.click("#sessions-table a");
        await page.waitForSelector(".transcript .entry.assistant");
        assert.match(await textOf(page, ".transcript"), /Hello there!/);
        await shoot(page, "session");
      });

      await t.step("reconnects after the socket drops without losing the run in flight", async () => {
        await clickNav(page, "Chat");
        await page.waitForSelector("#chat-input:not([disabled])");
        await page.type("#chat-input", "second question");
        await page.keyboard.press("Enter");
        const run = await fakes.nextRun(2);
        fakes.delta(run, "Partial");
        await until(
          page,
          `document.querySelector('.msg.assistant[data-run="${run.runId}"] .bubble')?.textContent === "Partial"`,
        );
        assert.ok(await dropSockets(page) >= 1);
        // While the page is offline the run finishes; the UI missed its events.
        fakes.finalStoredOnly(run, "Partial, then complete.");
        await page.waitForSelector('.pill[data-status="open"]', { timeout: 15_000 });
        await page.waitForSelector(`.msg.assistant[data-run="${run.runId}"][data-state="final"]`);
        assert.equal(
          await textOf(page, `.msg.assistant[data-run="${run.runId}"] .bubble`),
          "Partial, then complete.",
        );
        // Events of a run started elsewhere reach the new connection: the subscriptions were re-sent.
        const external = { runId: "run_external0000001", sessionKey: "agent:main:main", text: "" };
        fakes.delta(external, "From Telegram");
        await until(
          page,
          `document.querySelector('.msg.assistant[data-run="run_external0000001"] .bubble')?.textContent === "From Telegram"`,
        );
      });

      await t.step("screenshots of every page: desktop and phone, light and dark", async () => {
        const pages = [
          "/",
          "/chat",
          "/sessions",
          "/runs?run=" + chatRunId,
          "/channels",
          "/approvals",
          "/config",
          "/logs",
        ];
        for (const [w, h, label] of [[1280, 800, "desktop"], [390, 844, "phone"]] as const) {
          for (const scheme of ["light", "dark"] as const) {
            await page.setViewport({ width: w, height: h });
            await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
            for (const p of pages) {
              await page.evaluate(
                `history.pushState(null, "", ${
                  JSON.stringify(p)
                }); dispatchEvent(new PopStateEvent("popstate"))`,
              );
              await page.waitForSelector("main .page-head h1");
              await new Promise((r) => setTimeout(r, 120));
              const name = p === "/" ? "overview" : p.slice(1).replace(/\?.*$/, "");
              await page.screenshot({ path: new URL(`${name}-${label}-${scheme}.png`, ARTIFACTS).pathname });
            }
          }
        }
        await page.setViewport({ width: 1280, height: 800 });
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
      });

      await t.step("one-time sign-in link: fragment wiped, code works once, session expires", async () => {
        const cli = await gw.connect();
        const { code, fragment } = await cli.request("ui.signin.create", {}) as {
          code: string;
          fragment: string;
        };
        cli.close();
        const p2 = await launched.browser.newPage();
        p2.on("request", (r) => void requested.push(r.url()));
        await instrumentSockets(p2);
        await p2.setViewport({ width: 390, height: 844 });
        await p2.goto(gw.url + "/" + fragment, { waitUntil: "domcontentloaded" });
        await p2.waitForSelector('.pill[data-status="open"]');
        assert.equal(new URL(p2.url()).hash, "");
        const session = await p2.evaluate(`sessionStorage.getItem("talon.token")`);
        assert.ok(session && session !== code && session !== token);
        assert.ok(!(await p2.evaluate("location.href") as string).includes(code));
        await p2.screenshot({ path: new URL("signed-in-by-link-phone.png", ARTIFACTS).pathname });

        // The code does not work twice.
        const p3 = await launched.browser.newPage();
        await p3.goto(gw.url + "/" + fragment, { waitUntil: "domcontentloaded" });
        assert.match(await textOf(p3, "#signin-error"), /refused/);
        assert.equal(new URL(p3.url()).hash, "");
        await p3.screenshot({ path: new URL("signin-refused-desktop.png", ARTIFACTS).pathname });
        await p3.close();

        // Twelve hours later the session is swept; the next reconnect is refused and asks to sign in.
        clockOffset = 12 * 3600_000 + 1000;
        assert.ok(await ui.sweep() >= 1);
        await dropSockets(p2);
        assert.match(await textOf(p2, "#signin-error"), /expired|refused/);
        assert.equal(await p2.evaluate(`sessionStorage.getItem("talon.token")`), null);
        await p2.close();
      });

      await t.step("no request URL ever carried the gateway token", () => {
        assert.ok(requested.length > 5);
        for (const u of requested) assert.ok(!u.includes(token), `token in ${u}`);
        for (const u of requested) assert.ok(!new URL(u).search.includes("signin"), `code in ${u}`);
      });
    } finally {
      await launched.close();
    }
  },
});

if (!chromium) {
  console.warn(
    "test/web/control_ui_test.ts: Chromium not found (looked in /usr/bin); browser tests skipped. " +
      "Install it with `apt-get install -y chromium`.",
  );
}

async function clickNav(page: Page, label: string): Promise<void> {
  await clickButton(page, "nav.tabs", label, "a");
}

/** Clicks the element (default: button) inside `scope` whose text is `label`. */
async function clickButton(page: Page, scope: string, label: string, tag = "button"): Promise<void> {
  await page.waitForSelector(scope);
  const handle = await page.waitForFunction(
    `[...document.querySelectorAll(${JSON.stringify(`${scope} ${tag}`)})]
      .find((b) => b.textContent?.trim() === ${JSON.stringify(label)}) ?? null`,
    { timeout: 10_000, polling: 50 },
  );
  await (handle as unknown as { click(): Promise<void> }).click();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}-step.png`, ARTIFACTS).pathname });
}
