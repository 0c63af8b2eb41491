// Two sessions of one agent on different shards both use `browser`. Each shard worker has its own browser
// manager; before the fix both launched Chromium on the same profile dir and the second failed with
// "browser already running". Now each shard has its own profile dir.
import assert from "node:assert/strict";
import { createBrowserManager, findChromium } from "../../src/tools/browser_manager.ts";
import { manualClock } from "../fakes/tools_clock.ts";
import { toolsEnv } from "../fakes/tools_env.ts";

const chromium = await findChromium();

Deno.test({
  name: "browser managers of two shards run one agent's browser side by side",
  ignore: !chromium,
  sanitizeResources: false, // puppeteer keeps pipe handles until the browser process is reaped
  sanitizeOps: false,
  async fn() {
    await using env = await toolsEnv();
    const shard0 = createBrowserManager({ home: env.root, idleMs: 60_000, clock: manualClock(), shard: 0 });
    const shard1 = createBrowserManager({ home: env.root, idleMs: 60_000, clock: manualClock(), shard: 1 });
    try {
      const [a, b] = await Promise.all([shard0.session("main"), shard1.session("main")]);
      const [pa, pb] = await Promise.all([a.page(), b.page()]);
      await pa.setContent("<title>shard zero</title>");
      await pb.setContent("<title>shard one</title>");
      assert.equal(await pa.title(), "shard zero");
      assert.equal(await pb.title(), "shard one");
      assert.ok((await Deno.stat(`${env.root}/browser/shard-0/main`)).isDirectory);
      assert.ok((await Deno.stat(`${env.root}/browser/shard-1/main`)).isDirectory);
    } finally {
      await shard0.closeAll();
      await shard1.closeAll();
    }
  },
});
