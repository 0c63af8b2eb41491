/**
 * `browser`: drives a local Chromium. Actions: open {url}, snapshot (readable text + numbered interactive
 * elements), click {ref}, type {ref, text, submit?}, screenshot (PNG into <home>/media), close.
 * Every request the page makes (the page itself, each redirect hop, a clicked link, images, scripts,
 * fetch/XHR) passes the same SSRF checks as web_fetch before Chromium may send it; a refused one is
 * aborted and reported in the tool's answer. Below that, the browser's only network path is a checking
 * proxy (browser_proxy.ts), which also covers service workers, workers and WebSockets.
 */
import { z } from "zod";
import type { ToolsConfig } from "../config/sections/tools.ts";
import { defineTool } from "./registry.ts";
import { ToolError } from "./errors.ts";
import type { BrowserManager } from "./browser_manager.ts";
import type { ElementHandle, HTTPRequest, Page } from "puppeteer-core";
import { checkTarget, denoResolver, type Resolver } from "./web_fetch.ts";

const input = z.strictObject({
  action: z.enum(["open", "snapshot", "click", "type", "screenshot", "close"]),
  url: z.string().optional().describe("URL for open."),
  ref: z.number().int().min(1).optional().describe("Element number from the last snapshot (click, type)."),
  text: z.string().optional().describe("Text to type."),
  submit: z.boolean().optional().describe("Press Enter after typing."),
});

interface SnapshotElement {
  ref: number;
  tag: string;
  label: string;
}

/** Runs in the page: numbers interactive elements and returns readable text. */
function snapshotInPage(
  maxChars: number,
): { title: string; url: string; text: string; elements: SnapshotElement[] } {
  // deno-lint-ignore no-explicit-any
  const doc = (globalThis as unknown as { document: any }).document;
  const nodes = doc.querySelectorAll(
    "a[href], button, input, select, textarea, [role=button], [role=link], [onclick], [contenteditable=true]",
  );
  const elements: SnapshotElement[] = [];
  let n = 0;
  for (const el of nodes) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    n++;
    el.setAttribute("data-talon-ref", String(n));
    const tag = el.tagName.toLowerCase();
    const label =
      (el.innerText || el.value || el.getAttribute("aria-label") || el.getAttribute("placeholder") ||
        el.getAttribute("name") || el.getAttribute("href") || "").trim().replace(/\s+/g, " ").slice(0, 80);
    elements.push({ ref: n, tag: tag === "input" ? `input[${el.type}]` : tag, label });
  }
  const text = String(doc.body?.innerText ?? "").replace(/\n{3,}/g, "\n\n").trim().slice(0, maxChars);
  return { title: doc.title, url: doc.location.href, text, elements };
}

/**
 * Runs in the page: whether activating `el` (a click, or Enter when `enter`) loads a document in this
 * tab: a link (not javascript:, not another target) or a form's submit control or text field.
 */
// deno-lint-ignore no-explicit-any
function navigatesInPage(el: any, enter: boolean): boolean {
  const link = el.closest("a[href]");
  if (link) {
    const target = (link.getAttribute("target") || "_self").toLowerCase();
    return !/^\s*javascript:/i.test(link.getAttribute("href")) && (target === "_self" || target === "_top");
  }
  const form = el.form ?? el.closest("form");
  if (!form) return false;
  const tag = el.tagName.toLowerCase();
  const type = String(el.type ?? "").toLowerCase();
  if (enter) return tag === "input" && !["button", "checkbox", "radio", "reset", "file"].includes(type);
  return (tag === "button" || tag === "input") && (type === "submit" || type === "image");
}

/** Schemes that never touch the network. */
const LOCAL_SCHEMES = new Set(["data:", "blob:", "about:"]);

/** What the guard refused since the last tool call on this page. */
interface PageGuard {
  blocked: string[];
  /** What the browser's egress proxy refused (workers, service workers, WebSockets …). */
  egress?: () => string[];
}

/**
 * Routes every request of `page` through `check`: allowed ones continue, refused ones are aborted
 * (net::ERR_BLOCKED_BY_CLIENT) and remembered so the tool can say what was stopped.
 */
async function guardPage(
  page: Page,
  check: (url: URL) => Promise<void>,
): Promise<PageGuard> {
  const guard: PageGuard = { blocked: [] };
  await page.setRequestInterception(true);
  page.on("request", (req: HTTPRequest) => {
    if (req.isInterceptResolutionHandled()) return;
    let url: URL;
    try {
      url = new URL(req.url());
    } catch {
      guard.blocked.push(`${req.url()}: not a valid URL`);
      void req.abort("blockedbyclient").catch(() => {});
      return;
    }
    if (LOCAL_SCHEMES.has(url.protocol)) {
      void req.continue().catch(() => {});
      return;
    }
    check(url).then(
      () => req.continue(),
      (err) => {
        guard.blocked.push(`${url.href}: ${(err as Error).message}`);
        return req.abort("blockedbyclient");
      },
    ).catch(() => {/* the page or browser went away meanwhile */});
  });
  return guard;
}

export interface BrowserToolDeps {
  config: Readonly<ToolsConfig>;
  manager: BrowserManager;
  /** Where screenshots go (<home>/media). */
  mediaDir: string;
  resolve?: Resolver;
  now?: () => number;
}

/** Creates the `browser` tool. */
export function createBrowserTool(deps: BrowserToolDeps) {
  const now = deps.now ?? Date.now;
  const guards = new WeakMap<Page, Promise<PageGuard>>();
  const guarded = (page: Page) => {
    let g = guards.get(page);
    if (!g) {
      g = guardPage(
        page,
        async (url) => void await checkTarget(url, deps.config, deps.resolve ?? denoResolver),
      );
      guards.set(page, g);
    }
    return g;
  };
  /** The answer, plus what the guard stopped while the action ran. */
  const withBlocked = (guard: PageGuard, content: string) => {
    const blocked = [...guard.blocked.splice(0), ...(guard.egress?.() ?? [])];
    if (blocked.length === 0) return content;
    return `${content}\nBlocked ${blocked.length} request${blocked.length > 1 ? "s" : ""} (SSRF guard):\n` +
      blocked.slice(0, 5).map((b) => `- ${b}`).join("\n");
  };
  return defineTool({
    name: "browser",
    description:
      "Control a web browser: open {url}, snapshot (page text + numbered elements), click {ref}, " +
      "type {ref, text, submit}, screenshot, close. Take a snapshot to get element numbers.",
    group: "browser",
    input,
    async run(i, ctx) {
      if (i.action === "close") {
        await deps.manager.close(ctx.agentId);
        return { content: "Browser closed." };
      }
      const session = await deps.manager.session(ctx.agentId);
      const page = await session.page();
      const guard = await guarded(page);
      guard.blocked.length = 0;
      guard.egress = session.takeBlocked;
      session.takeBlocked();
      const el = async () => {
        if (i.ref === undefined) {
          throw new ToolError("InvalidInput", `browser ${i.action} needs ref (from a snapshot)`);
        }
        const handle = await page.$(`[data-talon-ref="${i.ref}"]`);
        if (!handle) throw new ToolError("NotFound", `no element ${i.ref}; take a new snapshot`);
        return handle;
      };
      // A link or a form submission: wait for the new page (up to the web timeout), however long a
      // loaded machine takes. Anything else may or may not navigate: give it a short moment.
      const settle = async (h: ElementHandle, enter: boolean) => {
        const expected = await h.evaluate(navigatesInPage, enter).catch(() => false);
        const navigation = page.waitForNavigation({
          waitUntil: "domcontentloaded",
          timeout: expected ? deps.config.web.timeoutMs : 3000,
        }).catch(() => {});
        return () =>
          expected ? navigation : Promise.race([navigation, new Promise((r) => setTimeout(r, 400))]);
      };
      switch (i.action) {
        case "open": {
          if (!i.url) throw new ToolError("InvalidInput", "browser open needs url");
          let url: URL;
          try {
            url = new URL(i.url);
          } catch {
            throw new ToolError("InvalidInput", `not a valid URL: ${i.url}`);
          }
          await checkTarget(url, deps.config, deps.resolve ?? denoResolver);
          let res;
          try {
            res = await page.goto(url.href, {
              waitUntil: "domcontentloaded",
              timeout: deps.config.web.timeoutMs,
            });
          } catch (err) {
            // A redirect to a refused address ends the navigation: say why.
            if (guard.blocked.length) {
              throw new ToolError("NotCapable", withBlocked(guard, `browser open ${url.href} was stopped`));
            }
            throw err;
          }
          return {
            content: withBlocked(
              guard,
              `Opened ${page.url()} (${res?.status() ?? "no response"}): ${await page.title()}`,
            ),
          };
        }
        case "snapshot": {
          const s = await page.evaluate(snapshotInPage, 20_000);
          const list = s.elements.map((e) => `[${e.ref}] ${e.tag} ${e.label}`).join("\n");
          return {
            content: `${s.title}\n${s.url}\n\n${s.text}\n\nInteractive elements:\n${list || "(none)"}`,
            data: s,
          };
        }
        case "click": {
          const h = await el();
          const settled = await settle(h, false);
          await h.click();
          await settled();
          return { content: withBlocked(guard, `Clicked [${i.ref}]; now at ${page.url()}`) };
        }
        case "type": {
          const h = await el();
          await h.type(i.text ?? "");
          if (i.submit) {
            const settled = await settle(h, true);
            await h.press("Enter");
            await settled();
          }
          return {
            content: withBlocked(guard, `Typed into [${i.ref}]${i.submit ? " and pressed Enter" : ""}`),
          };
        }
        case "screenshot": {
          await Deno.mkdir(deps.mediaDir, { recursive: true });
          const path = `${deps.mediaDir}/browser-${ctx.agentId}-${now()}.png`;
          const png = await page.screenshot({ type: "png" });
          await Deno.writeFile(path, png);
          return {
            content: `Screenshot saved to ${path}`,
            data: { path, bytes: png.length },
            images: [{ path, mime: "image/png", bytes: png.length }],
          };
        }
      }
    },
  });
}
