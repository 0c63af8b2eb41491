/**
 * The Control UI end to end in real headless Chromium against the real gateway: no fake methods. The
 * agent runs in the shard workers with the echo dev provider, exec approvals are real, and a Telegram
 * account points at the fake Bot API (test/fakes/fake_telegram.ts) for a real pairing request.
 * Screenshots of every page (desktop/phone × light/dark) go to test/artifacts/web-real/.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { VERSION } from "../../src/core/version.ts";
import { MethodRegistry } from "../../src/gateway/methods/registry.ts";
import { registerUiExtraMethods } from "../../src/gateway/methods/ui_extra_methods.ts";
import { registerUiMethods } from "../../src/gateway/methods/ui_methods.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import {
  clickButton,
  clickNav,
  dropSockets,
  findChromium,
  instrumentSockets,
  launchBrowser,
  receivedEvents,
  textOf,
  until,
} from "./browser.ts";

const chromium = findChromium();
const ARTIFACTS = new URL("../artifacts/web-real/", import.meta.url);
const WEB_CHAT_KINDS = [
  "ingress",
  "routed",
  "queued",
  "lane.start",
  "run.start",
  "model.attempt",
  "run.end",
  "egress",
  "lane.end",
];

Deno.test({
  name: "control UI in Chromium against the real gateway",
  ignore: !chromium,
  // Chromium's pipes and the gateway's shard workers outlive single steps; everything is closed at the end.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fake = startFakeTelegram();
    const launched = await launchBrowser(chromium!);
    try {
      await using gw = await startTestGateway({
        agents: { defaults: { model: { primary: "echo/echo" } } },
        channels: { telegram: { accounts: { default: { botToken: fake.token, apiRoot: fake.apiRoot } } } },
      });
      // What the integrator wires in src/app/services.ts; registering again there is a no-op.
      registerUiExtraMethods(gw.registry, { db: gw.store.db, audit: gw.store.audit });
      const cli = await gw.connect();
      const token = gw.token.token;
      const requested: string[] = [];
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const shoot = (p: Page, name: string) =>
        p.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname });

      const page = await launched.browser.newPage();
      page.on("request", (r) => void requested.push(r.url()));
      page.on("dialog", (d) => void d.accept());
      await instrumentSockets(page);
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(gw.url + "/", { waitUntil: "domcontentloaded" });
      const historyAtStart = await page.evaluate("history.length");

      try {
        await t.step("a wrong token is refused and not kept", async () => {
          await page.waitForSelector("#token");
          await page.type("#token", "wrong-token-0123456789abcdef");
          await page.click("button[type=submit]");
          assert.match(await textOf(page, "#signin-error"), /refused this token/);
          assert.equal(await page.evaluate(`sessionStorage.getItem("talon.token")`), null);
        });

        await t.step("sign in with the gateway token; the overview shows the real status", async () => {
          await page.click("#token", { count: 3 });
          await page.type("#token", token);
          await page.click("button[type=submit]");
          await page.waitForSelector('.pill[data-status="open"]');
          assert.equal(await page.evaluate(`sessionStorage.getItem("talon.token")`), token);
          assert.ok(!page.url().includes(token));
          assert.equal(
            await page.evaluate("history.length"),
            historyAtStart,
            "sign-in adds no history entry",
          );
          // The figures arrive after the connection opens ("…" until then).
          const loaded = (sel: string) =>
            until(
              page,
              `!["", "…"].includes((document.querySelector(${
                JSON.stringify(sel)
              })?.textContent ?? "").trim())`,
            );
          await loaded("#ov-version");
          assert.equal(await textOf(page, "#ov-version"), VERSION);
          await until(page, `/^\\d+$/.test(document.querySelector("#ov-queue")?.textContent ?? "")`);
          await loaded("#ov-cost");
          assert.equal(await textOf(page, "#ov-cost"), "$0.00");
        });

        let chatRunId = "";
        await t.step("send a chat message; the reply streams in from the agent", async () => {
          await clickNav(page, "Chat");
          await page.waitForSelector("#chat-input:not([disabled])");
          // Every state an assistant item is rendered in, as it happens.
          await page.evaluate(`(() => {
            const seen = (globalThis.__states = []);
            new MutationObserver(() => {
              for (const m of document.querySelectorAll(".msg.assistant")) {
                seen.push(m.getAttribute("data-run") + ":" + m.getAttribute("data-state"));
              }
            }).observe(document.querySelector(".chat-log"), {
              subtree: true,
              childList: true,
              attributes: true,
              characterData: true,
            });
          })()`);
          await page.type("#chat-input", "hello talon");
          await page.keyboard.press("Enter");
          await page.waitForSelector('.msg.assistant[data-state="final"]', { timeout: 20_000 });
          chatRunId = await page.$eval(
            '.msg.assistant[data-state="final"]',
            (e) => e.getAttribute("data-run")!,
          );
          assert.match(chatRunId, /^run_/);
          const reply = await textOf(page, `.msg.assistant[data-run="${chatRunId}"] .bubble`);
          assert.match(reply, /^\[echo dev provider.*\] hello talon$/);
          assert.equal(await textOf(page, ".msg.user .bubble"), "hello talon");
          // It streamed: several growing deltas reached the page, and the item was shown while streaming.
          const deltas =
            (await receivedEvents<{ runId: string; state: string; message: { content: string } }>(
              page,
              "chat",
            )).filter((e) => e.runId === chatRunId && e.state === "delta").map((e) => e.message.content);
          assert.ok(deltas.length >= 2, `deltas: ${JSON.stringify(deltas)}`);
          assert.ok(deltas.every((d, i) => i === 0 || d.startsWith(deltas[i - 1]!)));
          assert.ok(reply.startsWith(deltas.at(-1)!.trim()) || deltas.at(-1) === reply);
          const states = await page.evaluate("globalThis.__states") as string[];
          assert.ok(states.includes(`${chatRunId}:streaming`), "the reply was shown while streaming");
          await shoot(page, "chat-reply");
        });

        await t.step("the chat message's run timeline shows every milestone, queued to egress", async () => {
          await page.click(`.msg.assistant[data-run="${chatRunId}"] a.runlink`);
          await page.waitForSelector("#timeline li");
          assert.equal(await textOf(page, "#run-id"), chatRunId);
          assert.ok(new URL(page.url()).search.includes(chatRunId));
          await until(
            page,
            `${
              JSON.stringify(WEB_CHAT_KINDS)
            }.every((k) => document.querySelector('#timeline li[data-kind="' + k + '"]'))`,
          );
          const kinds = await page.$$eval(
            "#timeline li",
            (els) => els.map((e) => e.getAttribute("data-kind")),
          );
          assert.deepEqual(kinds, WEB_CHAT_KINDS, "in order, nothing else");
          const attempt = await textOf(page, '#timeline li[data-kind="model.attempt"] dl');
          assert.match(attempt, /provider\s*echo/);
          assert.match(attempt, /ok\s*true/);
          assert.match(await textOf(page, '#timeline li[data-kind="egress"] dl'), /webchat.*streamed/s);
          assert.match(await textOf(page, '#timeline li[data-kind="ingress"] dl'), /channel\s*webchat/);
          assert.match(await textOf(page, '#timeline li[data-kind="run.end"] dl'), /status\s*ok/);
          await shoot(page, "runs-webchat");
        });

        let execRunId = "";
        await t.step("a real exec approval: approve in Approvals, the reply carries the output", async () => {
          await clickNav(page, "Chat");
          await page.waitForSelector("#chat-input:not([disabled])");
          await page.type("#chat-input", '/tool exec {"argv":["echo","hi"]}');
          await page.keyboard.press("Enter");
          await page.waitForSelector('.msg.assistant .tool.running[data-tool="exec"]', { timeout: 20_000 });
          await page.waitForSelector(".msg.assistant .card.approval.inline", { timeout: 20_000 });
          execRunId = await page.$eval(
            '.msg.assistant[data-state="streaming"]',
            (e) => e.getAttribute("data-run")!,
          );
          await shoot(page, "chat-waiting-for-approval");
          await clickNav(page, "Approvals1");
          await page.waitForSelector(".card.approval[data-approval]");
          const card = await textOf(page, ".card.approval");
          // The real program, as the approval binds it, and how it will run.
          assert.match(await textOf(page, ".card.approval .command"), /^\/usr\/bin\/echo hi$/);
          assert.match(card, /asked as\s*echo/);
          assert.match(card, /confined/);
          assert.match(card, /network: no/);
          assert.match(card, new RegExp(`cwd\\s*${gw.home}/workspace/main`));
          assert.match(card, /agent:main:main/);
          assert.match(card, new RegExp(execRunId));
          const approvalId = await page.$eval(".card.approval", (e) => e.getAttribute("data-approval")!);
          await shoot(page, "approvals-pending");
          await clickButton(page, `.card[data-approval="${approvalId}"]`, "Allow once");
          await page.waitForSelector(
            `#approval-history tr[data-approval="${approvalId}"][data-decision="allow-once"]`,
          );
          await until(page, `!document.querySelector('.card[data-approval="${approvalId}"]')`);

          await clickNav(page, "Chat");
          const item = `.msg.assistant[data-run="${execRunId}"]`;
          await page.waitForSelector(`${item}[data-state="final"]`, { timeout: 45_000 });
          assert.match(
            await textOf(page, `${item} .bubble`),
            /tool exec returned: Exit code 0\.\s+stdout:\s+hi/,
          );
          await page.waitForSelector(`${item} .tool.ok[data-tool="exec"]`);
          assert.match(
            await textOf(page, `${item} .tool summary`),
            /exec\s*ok.*\{ "argv": \[ "echo", "hi" \] \}/,
          );
          assert.match(await textOf(page, `${item} .tool .output`), /stdout:\s+hi/);
          assert.equal(await page.$(`${item} .card.approval`), null);
          await shoot(page, "chat-tool-reply");
        });

        await t.step("the exec run's timeline shows the approval and the tool call it allowed", async () => {
          await page.click(`.msg.assistant[data-run="${execRunId}"] a.runlink`);
          await until(page, `!!document.querySelector('#timeline li[data-kind="lane.end"]')`);
          const kinds = await page.$$eval(
            "#timeline li",
            (els) => els.map((e) => e.getAttribute("data-kind")),
          );
          for (const k of [...WEB_CHAT_KINDS, "approval", "tool.call"]) assert.ok(kinds.includes(k), k);
          assert.ok(kinds.indexOf("approval") < kinds.indexOf("tool.call"));
          assert.equal(kinds.filter((k) => k === "model.attempt").length, 2, "one per step");
          const tool = await textOf(page, '#timeline li[data-kind="tool.call"] dl');
          assert.match(tool, /tool\s*exec/);
          assert.match(tool, /approval\s*allow-once/);
          assert.match(tool, /ms\s*[\d.]+ m?s/);
          const approvals = await page.$$eval(
            '#timeline li[data-kind="approval"] dd[data-field="decision"]',
            (els) => els.map((e) => e.textContent),
          );
          assert.deepEqual(approvals, ["requested", "allow-once"]);
          const principal = await textOf(
            page,
            '#timeline li[data-kind="run.start"] dd[data-field="principal"]',
          );
          assert.match(principal, /^owner:credential:/, "the run's principal is on its timeline");
          assert.match(await textOf(page, '#run-audit td[data-field="principal"]'), /^owner:credential:/);
          await shoot(page, "runs-exec");
        });

        await t.step("an approval asked elsewhere appears live; deny it", async () => {
          await clickNav(page, "Approvals");
          await page.waitForSelector("#no-pending");
          const done = cli.request("agent", {
            message: '/tool exec {"argv":["rm","-rf","build"]}',
            sessionKey: "agent:main:cli",
          }, { timeoutMs: 30_000, onAck: () => {} }) as Promise<{ result: { payloads: { text: string }[] } }>;
          await page.waitForSelector(".card.approval[data-approval]", { timeout: 20_000 });
          assert.match(await textOf(page, ".card.approval .command"), /^\/usr\/bin\/rm -rf build$/);
          assert.match(await textOf(page, ".card.approval"), /agent:main:cli/);
          const id = await page.$eval(".card.approval", (e) => e.getAttribute("data-approval")!);
          await clickButton(page, `.card[data-approval="${id}"]`, "Deny");
          await page.waitForSelector(`#approval-history tr[data-approval="${id}"][data-decision="deny"]`);
          const result = await done;
          assert.match(result.result.payloads[0]!.text, /denied/);
          await shoot(page, "approvals-history");
        });

        let pairingCode = "";
        await t.step(
          "a real pairing request approved in Channels; the sender then reaches the agent",
          async () => {
            fake.pushMessage({
              chat: { id: 5, type: "private" },
              from: { id: 5, first_name: "Alice" },
              text: "hi",
            });
            await clickNav(page, "Channels");
            await page.waitForSelector('.channel[data-channel="telegram"]');
            await until(
              page,
              `/connected/.test(document.querySelector('.channel[data-channel="telegram"]').textContent)`,
            );
            await page.waitForSelector("#pairing-table tr[data-code]", { timeout: 15_000 });
            pairingCode = await page.$eval(
              "#pairing-table tr[data-code]",
              (e) => e.getAttribute("data-code")!,
            );
            assert.match(pairingCode, /^[A-Z2-9]{8}$/);
            const row = await textOf(page, `tr[data-code="${pairingCode}"]`);
            assert.match(row, /telegram/);
            assert.match(row, /Alice/);
            assert.ok(
              fake.sent.some((m) => m.chat_id === "5" && m.text?.includes(pairingCode)),
              "code sent to Alice",
            );
            await shoot(page, "channels-pairing");
            await clickButton(page, `tr[data-code="${pairingCode}"]`, "Approve");
            await until(page, `!document.querySelector('tr[data-code="${pairingCode}"]')`);
            assert.match(await textOf(page, ".notice"), /Approved Alice on telegram/);
            assert.match(await textOf(page, ".approved-senders"), /telegram: Alice/);

            fake.pushMessage({
              chat: { id: 5, type: "private" },
              from: { id: 5, first_name: "Alice" },
              text: "hello from telegram",
            });
            await fake.waitForSent(
              (sent) => sent.some((m) => m.chat_id === "5" && /hello from telegram/.test(m.text ?? "")),
              20_000,
            );
          },
        );

        await t.step("the Telegram message's timeline: ingress and routing through to egress", async () => {
          await clickNav(page, "Sessions");
          const link = await page.waitForFunction(
            `[...document.querySelectorAll("#sessions-table tbody tr")]
              .find((tr) => tr.children[1]?.textContent === "telegram")?.querySelector("a") ?? null`,
            { timeout: 10_000, polling: 100 },
          );
          await (link as unknown as { click(): Promise<void> }).click();
          const runId = await page.waitForFunction(
            `[...document.querySelectorAll("#transcript .msg.user")]
              .find((m) => m.querySelector(".bubble")?.textContent === "hello from telegram")
              ?.getAttribute("data-run") || null`,
            { timeout: 10_000, polling: 100 },
          ).then((h) => h.jsonValue()) as string;
          await page.click(`#transcript .msg.user[data-run="${runId}"] a.runlink`);
          const all = WEB_CHAT_KINDS;
          await until(
            page,
            `${
              JSON.stringify(all)
            }.every((k) => document.querySelector('#timeline li[data-kind="' + k + '"]'))`,
            20_000,
          );
          const kinds = await page.$$eval(
            "#timeline li",
            (els) => els.map((e) => e.getAttribute("data-kind")),
          );
          assert.deepEqual(kinds.slice(0, 2), ["ingress", "routed"]);
          const ingress = await textOf(page, '#timeline li[data-kind="ingress"] dl');
          assert.match(ingress, /channel\s*telegram/);
          assert.match(ingress, /Alice \(5\)/);
          assert.match(await textOf(page, '#timeline li[data-kind="routed"] dl'), /agentId\s*main/);
          assert.match(await textOf(page, '#timeline li[data-kind="egress"] dl'), /telegram.*sent/s);
          await shoot(page, "runs-telegram");
        });

        await t.step(
          "config: an invalid value shows its error next to the field; a valid one is applied",
          async () => {
            await clickNav(page, "Config");
            const field = '.field[data-path="gateway.port"]';
            await page.waitForSelector('details[data-group="gateway"][open]');
            await page.waitForSelector(`${field} input`, { visible: true });
            await page.click(`${field} input`, { count: 3 });
            await page.type(`${field} input`, "70000");
            assert.equal(await textOf(page, `${field} .field-error`), "must be at most 65535");
            await page.click("#config-apply");
            assert.equal(JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`)).gateway.port, 0);
            await shoot(page, "config-invalid");
            await page.click(`${field} input`, { count: 3 });
            await page.type(`${field} input`, "18801");
            await until(page, `!document.querySelector('${field} .field-error')`);
            await page.click("#config-apply");
            await page.waitForSelector("#config-saved");
            const saved = JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`));
            assert.equal(saved.gateway.port, 18801);
            assert.equal(saved.channels.telegram.accounts.default.apiRoot, fake.apiRoot, "the rest is kept");
            assert.equal((await gw.store.audit.list({ kind: "config.change" })).length, 1);
          },
        );

        await t.step("config: the gateway's own issues land next to the field (raw editor)", async () => {
          await page.click("#raw-tab");
          await page.waitForSelector("#config-raw[data-loaded]");
          await page.evaluate(`(() => {
            const ta = document.querySelector("#config-raw");
            const raw = JSON.parse(ta.value);
            raw.logging = { ...(raw.logging ?? {}), level: "loud" };
            ta.value = JSON.stringify(raw, null, 2);
            ta.dispatchEvent(new Event("input", { bubbles: true }));
          })()`);
          await page.click("#config-apply");
          assert.match(await textOf(page, "#raw-error"), /logging\.level/);
          assert.equal(JSON.parse(await Deno.readTextFile(`${gw.home}/talon.json`)).logging.level, undefined);
        });

        await t.step(
          "sessions: the list, a transcript with tool cards from tool_call entries, delete",
          async () => {
            await clickNav(page, "Sessions");
            await page.waitForSelector("#sessions-table a");
            const rows = await page.$$eval(
              "#sessions-table tbody tr",
              (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")),
            );
            const main = rows.find((r) => r[0] === "agent:main:main");
            assert.ok(main, JSON.stringify(rows));
            assert.ok(Number(main[4]!.replaceAll(",", "")) > 0, "tokens counted");
            assert.ok(rows.some((r) => r[0] === "agent:main:cli"));
            await shoot(page, "sessions");
            await clickButton(page, "#sessions-table", "agent:main:main", "a");
            await page.waitForSelector(
              `#transcript .msg.assistant[data-run="${execRunId}"] .tool[data-tool="exec"]`,
            );
            const tool = `#transcript .msg.assistant[data-run="${execRunId}"] .tool`;
            assert.match(await page.$eval(tool, (e) => e.className), /\bok\b/);
            assert.match(await textOf(page, `${tool} summary`), /exec.*argv.*echo.*hi/s);
            assert.match(await textOf(page, `${tool} .output`), /stdout:\s+hi/);
            assert.match(await textOf(page, "#transcript"), /hello talon/);
            assert.match(await textOf(page, ".session-info"), /agent\s*main/);
            await shoot(page, "session-transcript");

            await page.evaluate(`history.pushState(null, "", "/sessions?session=agent%3Amain%3Acli");
            dispatchEvent(new PopStateEvent("popstate"))`);
            await page.waitForSelector("#transcript .msg.user");
            await clickButton(page, ".page-head", "Delete");
            await page.waitForSelector("#sessions-table");
            await until(
              page,
              `![...document.querySelectorAll("#sessions-table a")].some((a) => a.textContent === "agent:main:cli")`,
            );
            const left = await cli.request("sessions.list", {}) as { sessions: { sessionKey: string }[] };
            const keys = left.sessions.map((s) => s.sessionKey);
            assert.ok(!keys.includes("agent:main:cli") && keys.includes("agent:main:main"), keys.join(", "));
          },
        );

        await t.step("logs: live tail with level filter and search; a runId opens its timeline", async () => {
          await clickNav(page, "Logs");
          await until(page, `document.querySelector('#log-lines')?.textContent.includes('run started')`);
          await page.type("#log-search", chatRunId);
          await until(
            page,
            `[...document.querySelectorAll('#log-lines .log')].length > 0 &&
            [...document.querySelectorAll('#log-lines .log')].every((l) => l.textContent.includes(${
              JSON.stringify(chatRunId)
            }))`,
          );
          await page.select("#log-level", "error");
          await until(page, `document.querySelectorAll('#log-lines .log').length === 0`);
          await page.select("#log-level", "debug");
          await until(page, `document.querySelectorAll('#log-lines .log').length > 0`);
          await shoot(page, "logs");
          await page.click("#log-lines a.runlink");
          await until(
            page,
            `document.querySelector('#run-id')?.textContent === ${JSON.stringify(chatRunId)}`,
          );
          await page.waitForSelector('#timeline li[data-kind="egress"]');
        });

        await t.step("overview: usage today per agent from the runs above", async () => {
          await clickNav(page, "Overview");
          await page.waitForSelector('#usage-table tr[data-agent="main"]');
          const row = await page.$eval(
            '#usage-table tr[data-agent="main"]',
            (tr) => [...tr.children].map((td) => td.textContent ?? ""),
          );
          assert.equal(row[1], "echo/echo");
          assert.ok(Number(row[2]) >= 3, `runs: ${row[2]}`);
          assert.equal(await textOf(page, "#ov-active"), "0");
          await shoot(page, "overview");
        });

        await t.step("stop: a run waiting for its approval is aborted from the chat", async () => {
          await clickNav(page, "Chat");
          await page.waitForSelector("#chat-input:not([disabled])");
          await page.type("#chat-input", '/tool exec {"argv":["sleep","1"]}');
          await page.keyboard.press("Enter");
          await page.waitForSelector(".msg.assistant .card.approval.inline", { timeout: 20_000 });
          const runId = await page.$eval(
            '.msg.assistant[data-state="streaming"]',
            (e) => e.getAttribute("data-run")!,
          );
          await page.click("#stop");
          const item = `.msg.assistant[data-run="${runId}"]`;
          await page.waitForSelector(`${item}[data-state="aborted"]`, { timeout: 20_000 });
          await page.waitForSelector("#send");
          const end = await cli.request("agent.wait", { runId, timeoutMs: 10_000 }) as { status: string };
          assert.equal(end.status, "aborted");
          const left = await cli.request("approvals.list", {}) as { approvals: unknown[] };
          assert.deepEqual(left.approvals, [], "the abandoned approval is no longer pending");
          await shoot(page, "chat-stopped");
        });

        await t.step("a run in flight survives a dropped connection", async () => {
          await clickNav(page, "Chat");
          await page.waitForSelector("#chat-input:not([disabled])");
          await page.type("#chat-input", '/tool exec {"argv":["echo","again"]}');
          await page.keyboard.press("Enter");
          await page.waitForSelector(".msg.assistant .card.approval.inline", { timeout: 20_000 });
          const runId = await page.$eval(
            '.msg.assistant[data-state="streaming"]',
            (e) => e.getAttribute("data-run")!,
          );
          // Offline while the run finishes: the page misses every event of its end.
          await page.setOfflineMode(true);
          assert.ok(await dropSockets(page) >= 1);
          await page.waitForSelector('.pill[data-status="reconnecting"]');
          const pending = await cli.request("approvals.list", {}) as {
            approvals: { id: string; runId: string }[];
          };
          const mine = pending.approvals.find((a) => a.runId === runId)!;
          await cli.request("approval.resolve", { id: mine.id, decision: "allow-once" });
          const end = await cli.request("agent.wait", { runId, timeoutMs: 20_000 }, {
            timeoutMs: 25_000,
          }) as {
            status: string;
          };
          assert.equal(end.status, "ok");
          await page.setOfflineMode(false);
          await page.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
          const item = `.msg.assistant[data-run="${runId}"]`;
          await page.waitForSelector(`${item}[data-state="final"]`, { timeout: 10_000 });
          assert.match(await textOf(page, `${item} .bubble`), /stdout:\s+again/);
          assert.equal(await page.$(`${item} .card.approval`), null);
        });

        await t.step("screenshots of every page: desktop and phone, light and dark", async () => {
          const pages = [
            "/",
            "/chat",
            "/sessions",
            `/runs?run=${execRunId}`,
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
                await page.evaluate(`history.pushState(null, "", ${JSON.stringify(p)});
                  dispatchEvent(new PopStateEvent("popstate"))`);
                await page.waitForSelector("main .page-head h1");
                await new Promise((r) => setTimeout(r, 150));
                const name = p === "/" ? "overview" : p.slice(1).replace(/\?.*$/, "");
                await shoot(page, `${name}-${label}-${scheme}`);
              }
            }
          }
          await page.setViewport({ width: 1280, height: 800 });
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
        });

        await t.step("one-time sign-in link: fragment wiped, code works once, session expires", async () => {
          const { code, fragment } = await cli.request("ui.signin.create", {}) as {
            code: string;
            fragment: string;
          };
          const p2 = await launched.browser.newPage();
          p2.on("request", (r) => void requested.push(r.url()));
          await instrumentSockets(p2);
          await p2.setViewport({ width: 390, height: 844 });
          await p2.goto(gw.url + "/" + fragment, { waitUntil: "domcontentloaded" });
          await p2.waitForSelector('.pill[data-status="open"]');
          assert.equal(new URL(p2.url()).hash, "");
          const session = await p2.evaluate(`sessionStorage.getItem("talon.token")`);
          assert.ok(session && session !== code && session !== token);
          await shoot(p2, "signed-in-by-link-phone");

          const p3 = await launched.browser.newPage();
          await p3.goto(gw.url + "/" + fragment, { waitUntil: "domcontentloaded" });
          // The same link a second time: the exact words, and the way out.
          assert.equal(
            await textOf(p3, "#signin-error"),
            "This link was already used — run `talon dashboard` again.",
          );
          assert.equal(new URL(p3.url()).hash, "");
          await shoot(p3, "signin-refused");
          await p3.close();

          // Twelve hours later the session is swept; the next reconnect is refused and asks to sign in.
          const later = registerUiMethods(new MethodRegistry(), {
            credentials: gw.store.credentials,
            audit: gw.store.audit,
            reloadAuth: () => gw.auth.reload(),
            configFile: `${gw.home}/talon.json`,
            env: { HOME: gw.home, TALON_HOME: gw.home },
            now: () => Date.now() + 12 * 3600_000 + 1000,
          });
          assert.ok(await later.sweep() >= 1);
          await gw.auth.reload();
          await dropSockets(p2);
          assert.match(await textOf(p2, "#signin-error"), /expired|refused/);
          assert.equal(await p2.evaluate(`sessionStorage.getItem("talon.token")`), null);
          await p2.close();
        });

        await t.step("no request URL ever carried the gateway token or a sign-in code", () => {
          assert.ok(requested.length > 5);
          for (const u of requested) assert.ok(!u.includes(token), `token in ${u}`);
          for (const u of requested) assert.ok(!new URL(u).search.includes("signin"), `code in ${u}`);
        });
      } finally {
        await cli.close();
      }
    } finally {
      await launched.close();
      await fake.close();
    }
  },
});

if (!chromium) {
  console.warn(
    "test/web/control_ui_real_test.ts: Chromium not found (looked in /usr/bin); browser tests skipped. " +
      "Install it with `apt-get install -y chromium`.",
  );
}
