import assert from "node:assert/strict";
import { createBrowserTool } from "../../src/tools/browser.ts";
import { createBrowserManager, findChromium } from "../../src/tools/browser_manager.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";
import { manualClock } from "../fakes/tools_clock.ts";

const chromium = await findChromium();
if (!chromium) {
  console.warn("browser_test: skipped — no Chromium at /usr/bin/chromium etc. (apt-get install -y chromium)");
}

const PAGE = `<!doctype html><html><head><title>Form page</title></head><body>
<h1>Welcome</h1><p>Fill in the form.</p>
<a href="/next">Next page</a>
<form action="/submit"><input name="q" placeholder="Search"><button type="submit">Go</button></form>
</body></html>`;

Deno.test({
  name: "browser opens a local page, snapshots, types, clicks and takes a screenshot in real Chromium",
  ignore: !chromium,
  sanitizeResources: false, // puppeteer keeps pipe handles until the browser process is reaped
  sanitizeOps: false,
  async fn() {
    await using env = await toolsEnv();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/next") {
        // A slow server (or a loaded machine): the click still waits for the page it leads to.
        await new Promise((r) => setTimeout(r, 1000));
        return new Response("<title>Next</title><p>Second page</p>", {
          headers: { "content-type": "text/html" },
        });
      }
      if (url.pathname === "/submit") {
        return new Response(`<title>Result</title><p>You searched for ${url.searchParams.get("q")}</p>`, {
          headers: { "content-type": "text/html" },
        });
      }
      return new Response(PAGE, { headers: { "content-type": "text/html" } });
    });
    const clock = manualClock();
    const config = toolsConfig({
      tools: { profile: "full", web: { testAllowLoopback: true }, browser: { idleMs: 60_000 } },
    });
    const manager = createBrowserManager({ home: env.root, idleMs: 60_000, clock });
    const reg = toolsRegistry([
      createBrowserTool({ config: config.tools, manager, mediaDir: `${env.root}/media` }),
    ], { config });
    const base = `http://127.0.0.1:${server.addr.port}`;
    const call = async (args: Record<string, unknown>) => {
      const r = await reg.execute("browser", args, env.ctx());
      assert.equal(r.isError, undefined, r.content);
      return r.content;
    };
    try {
      assert.match(
        await call({ action: "open", url: `${base}/` }),
        /^Opened http:\/\/127\.0\.0\.1:\d+\/ \(200\): Form page$/,
      );
      const snap = await call({ action: "snapshot" });
      assert.match(snap, /Welcome\n\nFill in the form\./);
      assert.match(snap, /\[1\] a Next page\n\[2\] input\[text\] Search\n\[3\] button Go/);
      assert.ok((await Deno.stat(`${env.root}/browser/main`)).isDirectory, "profile dir per agent");
      await call({ action: "type", ref: 2, text: "talons", submit: true });
      assert.match(await call({ action: "snapshot" }), /You searched for talons/);
      await call({ action: "open", url: `${base}/` });
      await call({ action: "snapshot" });
      assert.match(await call({ action: "click", ref: 1 }), /now at .*\/next/);
      const shot = await call({ action: "screenshot" });
      const path = /saved to (\S+)/.exec(shot)![1]!;
      const png = await Deno.readFile(path);
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      // The screenshot is a tool image: a vision model is shown it (agent/tool_images.ts).
      const again = await reg.execute("browser", { action: "screenshot" }, env.ctx());
      assert.equal(again.images?.length, 1);
      assert.equal(again.images![0]!.mime, "image/png");
      assert.equal(again.images![0]!.bytes, (await Deno.stat(again.images![0]!.path)).size);
      const refused = await reg.execute(
        "browser",
        { action: "open", url: "http://169.254.169.254/" },
        env.ctx(),
      );
      assert.match(refused.content, /^NotCapable/);
      const noRef = await reg.execute("browser", { action: "click", ref: 99 }, env.ctx());
      assert.match(noRef.content, /^NotFound: no element 99/);
      assert.deepEqual(manager.open(), ["main"]);
      await clock.advance(60_000);
      for (let i = 0; i < 100 && manager.open().length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(manager.open(), [], "closed when idle");
    } finally {
      await manager.closeAll();
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "browser: redirects, clicked links and subresources to refused addresses never leave Chromium",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using env = await toolsEnv();
    // An "internal" service: loopback, but not the one address testAllowLoopback lets through.
    const hits: string[] = [];
    const internal = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen: () => {} }, (req) => {
      hits.push(new URL(req.url).pathname);
      return new Response("<title>Internal</title>secret", { headers: { "content-type": "text/html" } });
    });
    const inside = `http://127.0.0.2:${internal.addr.port}`;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/redirect") return Response.redirect(`${inside}/via-redirect`, 302);
      return new Response(
        `<title>Outside</title><img src="${inside}/pixel.png"><a href="${inside}/via-link">internal</a>`,
        { headers: { "content-type": "text/html" } },
      );
    });
    const config = toolsConfig({ tools: { profile: "full", web: { testAllowLoopback: true } } });
    const manager = createBrowserManager({ home: env.root, idleMs: 60_000 });
    const reg = toolsRegistry([
      createBrowserTool({ config: config.tools, manager, mediaDir: `${env.root}/media` }),
    ], { config });
    const base = `http://127.0.0.1:${server.addr.port}`;
    try {
      const opened = await reg.execute("browser", { action: "open", url: `${base}/` }, env.ctx());
      assert.equal(opened.isError, undefined, opened.content);
      assert.match(
        opened.content,
        /^Opened .* Outside\nBlocked 1 request \(SSRF guard\):\n- .*\/pixel\.png: .*loopback/,
      );

      await reg.execute("browser", { action: "snapshot" }, env.ctx());
      const clicked = await reg.execute("browser", { action: "click", ref: 1 }, env.ctx());
      assert.match(clicked.content, /Blocked 1 request .*\n- .*\/via-link: /);

      const redirected = await reg.execute("browser", { action: "open", url: `${base}/redirect` }, env.ctx());
      assert.equal(redirected.isError, true);
      assert.match(
        redirected.content,
        /^NotCapable: browser open .*\/redirect was stopped\nBlocked 1 request/,
      );
      assert.match(redirected.content, /via-redirect/);

      assert.deepEqual(hits, [], "nothing reached the internal address");
    } finally {
      await manager.closeAll();
      await server.shutdown();
      await internal.shutdown();
    }
  },
});

Deno.test("findChromium prefers the configured path and reports none when missing", async () => {
  assert.equal(await findChromium("/nonexistent/chrome"), undefined);
  assert.equal(await findChromium(undefined, ["/nonexistent/a", "/nonexistent/b"]), undefined);
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.root}/chrome`, "");
  assert.equal(await findChromium(undefined, ["/nonexistent/a", `${env.root}/chrome`]), `${env.root}/chrome`);
});
