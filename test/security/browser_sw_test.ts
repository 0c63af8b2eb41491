// Attack: a page the agent opens registers a Service Worker, opens a WebSocket and starts a Web Worker;
// each of them reaches a loopback "metadata" server. Page request interception never sees these requests,
// so before the fix the service worker's fetch reached the server. Now the managed Chromium's only way out
// is a proxy that applies the SSRF guard to every connection.
import assert from "node:assert/strict";
import { createBrowserTool } from "../../src/tools/browser.ts";
import { createBrowserManager, findChromium } from "../../src/tools/browser_manager.ts";
import { checkTarget } from "../../src/tools/web_fetch.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";
import { manualClock } from "../fakes/tools_clock.ts";

const chromium = await findChromium();

function attackPage(meta: string): string {
  return `<!doctype html><html><head><title>loading</title></head><body><script>
(async () => {
  const results = [];
  try {
    if (!navigator.serviceWorker) results.push("sw unavailable");
    else {
      await navigator.serviceWorker.register("/sw.js");
      const reg = await navigator.serviceWorker.ready;
      results.push("sw " + (reg.active ? "active" : "registered"));
    }
  } catch (e) { results.push("sw error"); }
  results.push(await new Promise((resolve) => {
    const ws = new WebSocket("ws://${meta}/ws");
    ws.onopen = () => resolve("ws open");
    ws.onerror = () => resolve("ws refused");
  }));
  results.push(await new Promise((resolve) => {
    const w = new Worker(URL.createObjectURL(new Blob([
      'fetch("http://${meta}/from-worker").then(() => postMessage("worker fetched"), () => postMessage("worker refused"))'
    ], { type: "text/javascript" })));
    w.onmessage = (e) => resolve(e.data);
  }));
  document.title = "done: " + results.join(", ");
})();
</script></body></html>`;
}

// The service worker fetches the metadata server while installing; `ready` resolves only after that.
const SW = (meta: string) =>
  `self.addEventListener("install", (e) => e.waitUntil(fetch("http://${meta}/from-sw", { mode: "no-cors" }).catch(() => {})));`;

Deno.test({
  name: "a page's service worker, WebSocket and worker cannot reach a loopback metadata server",
  ignore: !chromium,
  sanitizeResources: false, // puppeteer keeps pipe handles until the browser process is reaped
  sanitizeOps: false,
  async fn() {
    await using env = await toolsEnv();
    const hits: string[] = [];
    const metaServer = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen: () => {} }, (req) => {
      hits.push(new URL(req.url).pathname);
      if (req.headers.get("upgrade") === "websocket") return Deno.upgradeWebSocket(req).response;
      return new Response("SECRET-CREDENTIALS");
    });
    const meta = `127.0.0.2:${metaServer.addr.port}`;
    const pageServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      if (new URL(req.url).pathname === "/sw.js") {
        return new Response(SW(meta), { headers: { "content-type": "text/javascript" } });
      }
      return new Response(attackPage(meta), { headers: { "content-type": "text/html" } });
    });
    const config = toolsConfig({ tools: { profile: "full", web: { testAllowLoopback: true } } });
    const manager = createBrowserManager({
      home: env.root,
      idleMs: 60_000,
      clock: manualClock(),
      egress: (url) => checkTarget(url, config.tools, () => Promise.resolve([])),
    });
    const reg = toolsRegistry([
      createBrowserTool({ config: config.tools, manager, mediaDir: `${env.root}/media` }),
    ], { config });
    try {
      const opened = await reg.execute(
        "browser",
        { action: "open", url: `http://127.0.0.1:${pageServer.addr.port}/` },
        env.ctx(),
      );
      assert.equal(opened.isError, undefined, opened.content);
      // The page reports when all three attempts have finished (deadline: 30 s).
      let title = "";
      for (const deadline = Date.now() + 30_000; !title.startsWith("done") && Date.now() < deadline;) {
        const snap = await reg.execute("browser", { action: "snapshot" }, env.ctx());
        title = snap.content.split("\n")[0] ?? "";
        if (!title.startsWith("done")) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(title, /^done: /, `the attack page never finished (title "${title}")`);
      assert.deepEqual(hits, [], `the metadata server was reached (${title})`);
      assert.match(title, /ws refused/);
      assert.match(title, /worker refused/);
    } finally {
      await manager.closeAll();
      await pageServer.shutdown();
      await metaServer.shutdown();
    }
  },
});
