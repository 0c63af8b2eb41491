/** Launching headless Chromium for the Control UI tests, and small page helpers. */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** The first Chromium that exists, or undefined. */
export function findChromium(): string | undefined {
  for (const p of CHROMIUM_CANDIDATES) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* next */ }
  }
  return undefined;
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(executablePath: string): Promise<LaunchedBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "talon-chromium-" });
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Records every WebSocket the page opens in `window.__talonSockets`, so a test can drop the connection
 * the way a network failure would. Test-side instrumentation only; the app does not know about it.
 */
export async function instrumentSockets(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Native = WebSocket;
    const list: WebSocket[] = [];
    (globalThis as unknown as { __talonSockets: WebSocket[] }).__talonSockets = list;
    globalThis.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        list.push(this);
      }
    } as typeof WebSocket;
  });
}

/** Closes every open socket of the page (as if the network dropped). */
export async function dropSockets(page: Page): Promise<number> {
  return await page.evaluate(() => {
    const list = (globalThis as unknown as { __talonSockets: WebSocket[] }).__talonSockets ?? [];
    let n = 0;
    for (const s of list) {
      if (s.readyState === WebSocket.OPEN) {
        s.close(4000, "test drop");
        n++;
      }
    }
    return n;
  });
}

/** Text of an element (trimmed), waiting for it to exist. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const el = await page.waitForSelector(selector, { timeout: 10_000 });
  return ((await el!.evaluate((e) => e.textContent)) ?? "").trim();
}

/** Waits until `fn` (run in the page) returns true. */
export async function until(page: Page, fn: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 50 });
}
