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
    // DevTools over a pipe, not a port: when this test process dies (even by SIGKILL) the pipe closes and
    // Chromium exits with it, instead of lingering headless (as the gateway's browser tool already does).
    pipe: true,
    // A DevTools call that gets no answer fails the step after a minute instead of puppeteer's three.
    protocolTimeout: 60_000,
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
 * the way a network failure would, and every event frame it receives in `window.__talonEvents` (the
 * last 5000), so a test can see what streamed. Test-side instrumentation only; the app does not know.
 */
export async function instrumentSockets(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Native = WebSocket;
    const list: WebSocket[] = [];
    const events: { event: string; payload: unknown }[] = [];
    const g = globalThis as unknown as { __talonSockets: WebSocket[]; __talonEvents: typeof events };
    g.__talonSockets = list;
    g.__talonEvents = events;
    globalThis.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        list.push(this);
        this.addEventListener("message", (ev) => {
          try {
            const frame = JSON.parse(String(ev.data));
            if (frame.type !== "event" || frame.event === "tick") return;
            events.push({ event: frame.event, payload: frame.payload });
            if (events.length > 5000) events.shift();
          } catch { /* not JSON */ }
        });
      }
    } as typeof WebSocket;
  });
}

/** Payloads of the event frames named `event` the page received so far (see instrumentSockets). */
export async function receivedEvents<T = Record<string, unknown>>(page: Page, event: string): Promise<T[]> {
  return await page.evaluate(
    (name) =>
      ((globalThis as unknown as { __talonEvents?: { event: string; payload: unknown }[] }).__talonEvents ??
        [])
        .filter((e) => e.event === name).map((e) => e.payload),
    event,
  ) as T[];
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

/**
 * Clicks `selector`, trying again (up to `timeout`) while the element is being re-rendered: a list that
 * re-reads its data replaces its nodes, and a click on a node that was just detached fails with "not
 * clickable" instead of reaching the new one.
 */
export async function clickSettled(page: Page, selector: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await page.waitForSelector(selector, { timeout: Math.max(1, deadline - Date.now()) });
      await page.click(selector);
      return;
    } catch (err) {
      const detached = /not clickable|detached|not an Element|Node is/i.test(String(err));
      if (!detached || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Waits until `fn` (run in the page) returns true. */
export async function until(page: Page, fn: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(fn, { timeout, polling: 50 });
}

/** Clicks the element (default: button) inside `scope` whose trimmed text is `label`. */
export async function clickButton(page: Page, scope: string, label: string, tag = "button"): Promise<void> {
  await page.waitForSelector(scope, { timeout: 10_000 });
  const handle = await page.waitForFunction(
    `[...document.querySelectorAll(${JSON.stringify(`${scope} ${tag}`)})]
      .find((b) => b.textContent?.trim() === ${JSON.stringify(label)} && !b.disabled) ?? null`,
    { timeout: 10_000, polling: 50 },
  );
  await (handle as unknown as { click(): Promise<void> }).click();
}

/** Opens a page of the app from the top navigation. */
export async function clickNav(page: Page, label: string): Promise<void> {
  await clickButton(page, "nav.tabs", label, "a");
}
