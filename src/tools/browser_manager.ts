/**
 * Local Chromium through puppeteer-core: one browser per agent and shard, launched on first use and closed
 * after `idleMs` without calls. Each shard worker has its own manager, so each gets its own profile dir
 * (`<home>/browser/shard-<n>/<agentId>`; `<home>/browser/<agentId>` outside shards): two Chromiums cannot
 * share a profile, and sessions of one agent on different shards keep separate cookies.
 * With `egress`, the browser's only way out is a checking proxy (browser_proxy.ts).
 */
import type { Browser, Page } from "puppeteer-core";
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { ToolError } from "./errors.ts";
import { type EgressCheck, type EgressProxy, startEgressProxy } from "./browser_proxy.ts";

/** Flags every browser is launched with. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where Chromium is looked for when no path is configured. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** The configured path if it exists, else the first candidate that exists; undefined when none. */
export async function findChromium(
  configured?: string,
  candidates = CHROMIUM_CANDIDATES,
): Promise<string | undefined> {
  for (const p of configured ? [configured] : candidates) {
    try {
      if ((await Deno.stat(p)).isFile) return p;
    } catch { /* not there */ }
  }
  return undefined;
}

export interface BrowserSession {
  page(): Promise<Page>;
  /** Marks activity (restarts the idle timer). */
  touch(): void;
  /** Connections the egress proxy refused since the last call (service workers, WebSockets, …). */
  takeBlocked(): string[];
}

export interface BrowserManager {
  session(agentId: string): Promise<BrowserSession>;
  close(agentId: string): Promise<void>;
  closeAll(): Promise<void>;
  /** Agents with an open browser. */
  open(): string[];
}

export interface BrowserManagerDeps {
  home: string;
  executablePath?: string;
  idleMs: number;
  clock?: Clock;
  /** The shard worker this manager lives in (its own profile dirs). */
  shard?: number;
  /** Checks every connection the browser makes (SSRF guard); without it Chromium connects directly. */
  egress?: EgressCheck;
}

/** Creates the manager. */
export function createBrowserManager(deps: BrowserManagerDeps): BrowserManager {
  const clock = deps.clock ?? systemClock;
  interface Running {
    browser: Browser;
    proxy?: EgressProxy;
    timer?: number;
    page?: Page;
  }
  const browsers = new Map<string, Running>();
  const launching = new Map<string, Promise<Running>>();
  const closing = new Set<Promise<void>>();

  const close = async (agentId: string) => {
    const b = browsers.get(agentId);
    if (!b) return;
    browsers.delete(agentId);
    if (b.timer !== undefined) clock.clearTimeout(b.timer);
    const p = b.browser.close().catch(() => {}).then(() => b.proxy?.close());
    closing.add(p);
    await p;
    closing.delete(p);
  };
  const touch = (agentId: string) => {
    const b = browsers.get(agentId);
    if (!b) return;
    if (b.timer !== undefined) clock.clearTimeout(b.timer);
    b.timer = clock.setTimeout(() => void close(agentId), deps.idleMs);
  };
  const launch = async (agentId: string): Promise<Running> => {
    const executablePath = await findChromium(deps.executablePath);
    if (!executablePath) {
      throw new ToolError(
        "NotFound",
        `no Chromium found (tools.browser.executablePath, ${CHROMIUM_CANDIDATES.join(", ")})`,
      );
    }
    const userDataDir = deps.shard === undefined
      ? `${deps.home}/browser/${agentId}`
      : `${deps.home}/browser/shard-${deps.shard}/${agentId}`;
    await Deno.mkdir(userDataDir, { recursive: true });
    // Loaded on first use: puppeteer-core is large and most runs never open a browser.
    const { default: puppeteer } = await import("puppeteer-core");
    const proxy = deps.egress ? startEgressProxy(deps.egress) : undefined;
    // `<-loopback>` removes Chromium's implicit bypass, so loopback targets go through the proxy too.
    const proxyArgs = proxy ? [`--proxy-server=${proxy.url}`, "--proxy-bypass-list=<-loopback>"] : [];
    try {
      const browser = await puppeteer.launch({
        executablePath,
        userDataDir,
        headless: true,
        args: [...CHROMIUM_FLAGS, ...proxyArgs],
        pipe: true,
      });
      return { browser, proxy };
    } catch (err) {
      await proxy?.close();
      throw err;
    }
  };
  return {
    async session(agentId) {
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(agentId)) {
        throw new ToolError("InvalidInput", `bad agent id ${agentId}`);
      }
      if (!browsers.has(agentId)) {
        let p = launching.get(agentId);
        if (!p) {
          p = launch(agentId);
          launching.set(agentId, p);
        }
        try {
          browsers.set(agentId, await p);
        } finally {
          launching.delete(agentId);
        }
      }
      touch(agentId);
      return {
        touch: () => touch(agentId),
        takeBlocked: () => browsers.get(agentId)?.proxy?.takeBlocked() ?? [],
        async page() {
          const b = browsers.get(agentId);
          if (!b) throw new ToolError("Failed", "the browser was closed");
          if (!b.page || b.page.isClosed()) {
            const pages = await b.browser.pages();
            b.page = pages[0] ?? await b.browser.newPage();
          }
          return b.page;
        },
      };
    },
    close,
    async closeAll() {
      await Promise.all([...browsers.keys()].map(close));
      await Promise.all(closing);
    },
    open: () => [...browsers.keys()],
  };
}
