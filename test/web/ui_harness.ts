/**
 * The shared setup of the Control UI browser tests: a real gateway (echo dev provider in the shard
 * workers), headless Chromium, and a page signed in with the gateway token. Each test file starts its own,
 * so the files run in parallel. Screenshots go to test/artifacts/web-real/.
 */
import type { Browser, Page } from "puppeteer-core";
import type { GatewayClient } from "../../src/gateway/client.ts";
import { registerUiExtraMethods } from "../../src/gateway/methods/ui_extra_methods.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { findChromium, instrumentSockets, launchBrowser } from "./browser.ts";

export const chromium = findChromium();
const ARTIFACTS = new URL("../artifacts/web-real/", import.meta.url);

export interface UiHarness {
  gw: TestGateway;
  cli: GatewayClient;
  browser: Browser;
  page: Page;
  /** Opens another page, signed in with `token` (default: the gateway token). */
  newPage(opts?: { token?: string; path?: string; width?: number }): Promise<Page>;
  /**
   * Runs `fn` on another signed-in page, then closes it — also when `fn` fails — and brings `page` back to
   * the front: a page left open in front keeps the first one in the background, where screenshots stall.
   */
  withPage(
    opts: { token?: string; path?: string; width?: number },
    fn: (p: Page) => Promise<void>,
  ): Promise<void>;
  shoot(p: Page, name: string): Promise<void>;
  /** Browser console errors seen on any page so far. */
  consoleErrors: string[];
}

export const ECHO_CONFIG = { agents: { defaults: { model: { primary: "echo/echo" } } } };

/**
 * Runs `fn` with a gateway, Chromium and a signed-in page; everything is closed afterwards. With
 * `restartable` the gateway runs under the supervisor (`gateway.restart` works; `gw` follows it).
 */
export async function withUi(
  config: Record<string, unknown>,
  fn: (h: UiHarness) => Promise<void>,
  opts: { restartable?: boolean } = {},
): Promise<void> {
  const launched = await launchBrowser(chromium!);
  try {
    await using gw = await startTestGateway(config, opts);
    registerUiExtraMethods(gw.registry, { db: gw.store.db, audit: gw.store.audit });
    const cli = await gw.connect();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const consoleErrors: string[] = [];
    const newPage = async (opts: { token?: string; path?: string; width?: number } = {}) => {
      const p = await launched.browser.newPage();
      p.on("dialog", (d) => void d.accept());
      p.on("console", (m) => {
        if (m.type() === "error" && !/Failed to load resource|WebSocket/.test(m.text())) {
          consoleErrors.push(m.text());
        }
      });
      await instrumentSockets(p);
      const token = opts.token ?? gw.token.token;
      await p.evaluateOnNewDocument(`sessionStorage.getItem("talon.token") ||
        sessionStorage.setItem("talon.token", ${JSON.stringify(token)})`);
      await p.setViewport({ width: opts.width ?? 1280, height: 800 });
      await p.goto(gw.url + (opts.path ?? "/"), { waitUntil: "domcontentloaded" });
      await p.waitForSelector('.pill[data-status="open"]', { timeout: 20_000 });
      return p;
    };
    try {
      const page = await newPage();
      const withPage = async (
        opts: { token?: string; path?: string; width?: number },
        body: (p: Page) => Promise<void>,
      ) => {
        const p = await newPage(opts);
        try {
          await body(p);
        } finally {
          await p.close();
          await page.bringToFront();
        }
      };
      await fn({
        gw,
        cli,
        browser: launched.browser,
        page,
        newPage,
        withPage,
        consoleErrors,
        shoot: async (p, name) => {
          await p.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname });
        },
      });
    } finally {
      await cli.close();
    }
  } finally {
    await launched.close();
  }
}

/** Navigates in the app without a reload (as a link click does). */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate(`history.pushState(null, "", ${JSON.stringify(path)});
    dispatchEvent(new PopStateEvent("popstate"))`);
}

/** Sends a chat message from the composer and returns the runId of the reply it starts. */
export async function sendChat(page: Page, text: string): Promise<string> {
  await page.waitForSelector("#chat-input:not([disabled])");
  const before = await page.$$eval(".msg.assistant", (els) => els.map((e) => e.getAttribute("data-run")));
  // Typed newlines would send early: the text goes in as one input event, then Enter sends it.
  await page.evaluate(`(() => {
    const ta = document.querySelector("#chat-input");
    ta.value = ${JSON.stringify(text)};
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  })()`);
  await page.focus("#chat-input");
  await page.keyboard.press("Enter");
  const h = await page.waitForFunction(
    `[...document.querySelectorAll(".msg.assistant")].map((e) => e.getAttribute("data-run"))
      .find((r) => r && !${JSON.stringify(before)}.includes(r)) ?? null`,
    { timeout: 20_000, polling: 50 },
  );
  return await h.jsonValue() as string;
}
