// deno-lint-ignore-file no-explicit-any
/**
 * No code is fetched at run time (issue 19): every lazily loaded feature resolves from the module cache
 * that `deno task cache` (the README's install path) fills. The gateway runs with `--cached-only`, so a
 * module missing from the cache fails the turn instead of being downloaded, and the test drives one turn
 * of every lazily loaded feature: each provider SDK (openai chat and responses, anthropic), the browser
 * tool (puppeteer-core), Telegram (grammY), Discord (discord.js), WhatsApp (Cloud API) and the image
 * resizer (jpeg-js, pngjs) for a photo over media.maxImageBytes.
 */
import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { startFakeDiscord } from "../fakes/fake_discord.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { cloudDelivery, cloudText, postWebhook, startFakeCloud } from "../fakes/fake_whatsapp_cloud.ts";
import { spawnTalon } from "../helpers/process.ts";
import { tempHome } from "../helpers/temp.ts";
import { findChromium } from "../../src/tools/browser_manager.ts";

const ROOT = new URL("../../", import.meta.url);
const ALICE = { id: "400000000000000001", username: "alice" };

/** Files under src/ that import.meta.url names as modules to load (workers, the job handler). */
function urlLoadedModules(dir = new URL("src/", ROOT)): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...urlLoadedModules(url));
    else if (e.name.endsWith(".ts")) {
      const text = Deno.readTextFileSync(url);
      for (const m of text.matchAll(/new URL\("(\.{1,2}\/[^"]+\.ts)", import\.meta\.url\)/g)) {
        out.push(new URL(m[1]!, url).pathname.slice(ROOT.pathname.length));
      }
    }
  }
  return out;
}

/** Every `import("…")` with a literal specifier under src/. */
function dynamicImports(dir = new URL("src/", ROOT)): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...dynamicImports(url));
    else if (e.name.endsWith(".ts")) {
      for (const m of Deno.readTextFileSync(url).matchAll(/\bimport\("([^"]+)"\)/g)) out.push(m[1]!);
    }
  }
  return out;
}

Deno.test("deno task cache installs every module loaded by URL; every dynamic import is local or in the lock file", () => {
  const deno = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const lock = JSON.parse(Deno.readTextFileSync(new URL("deno.lock", ROOT)));
  const task: string = deno.tasks.cache;
  assert.match(task, /^deno install --frozen --entrypoint main\.ts /);
  const entries = task.split(/\s+/).slice(4);
  const loaded = [...new Set(urlLoadedModules())].filter((p) => p !== "main.ts");
  assert.ok(loaded.includes("src/app/agent_job_worker.ts") && loaded.includes("src/lanes/shard_worker.ts"));
  for (const path of loaded) assert.ok(entries.includes(path), `${path} is loaded by URL but not cached`);
  assert.match(deno.tasks.start, /^deno task cache && deno run --cached-only /);
  assert.match(deno.tasks.test, /^deno task cache && /);
  const imports = dynamicImports();
  assert.ok(imports.includes("puppeteer-core"));
  for (const spec of imports) {
    if (spec.startsWith(".")) continue;
    // A bare package, or a subpath of one mapped by a "pkg/" entry ("npm:/pkg@range/" → "npm:pkg@range").
    const prefix = Object.keys(deno.imports).find((k) => k.endsWith("/") && spec.startsWith(k));
    const mapped = String(
      deno.imports[spec] ??
        (prefix ? String(deno.imports[prefix]).replace(/^npm:\//, "npm:").replace(/\/$/, "") : ""),
    );
    assert.ok(mapped.startsWith("npm:"), `import("${spec}") is not an npm package of deno.json`);
    // deno writes ranges in the lock in its own spelling ("^0.18.0" may be stored as "0.18"): match the package.
    const name = mapped.slice(0, mapped.lastIndexOf("@"));
    assert.ok(
      Object.keys(lock.specifiers ?? {}).some((k) => k.slice(0, k.lastIndexOf("@")) === name),
      `${mapped} is not in deno.lock`,
    );
  }
});

Deno.test({
  name: "--cached-only gateway: one turn of each provider SDK, the browser tool, Telegram, Discord, WhatsApp",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const chromium = await findChromium();
    await using home = await tempHome();
    const oai = createFakeOpenAI({ fallback: { text: "from openai" } });
    const ant = createFakeAnthropic({ fallback: { text: "from anthropic" } });
    const telegram = startFakeTelegram();
    const discord = startFakeDiscord({ heartbeatMs: 1000 });
    const wa = startFakeCloud();
    const waSecret = "app-secret-for-no-fetch";
    const page = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("<title>Cached page</title><p>hi</p>", { headers: { "content-type": "text/html" } }),
    );
    try {
      const token = crypto.randomUUID() + crypto.randomUUID();
      await Deno.writeTextFile(
        `${home.dir}/talon.json`,
        JSON.stringify({
          gateway: { port: 0 },
          logging: { console: false },
          session: { dmScope: "per-channel-peer" },
          models: { "oai/gpt-test": { input: ["text", "image"] } },
          media: { maxImageBytes: 20_000 },
          providers: {
            oai: { api: "openai-chat", baseUrl: oai.url, apiKey: "k" },
            resp: { api: "openai-responses", baseUrl: oai.url, apiKey: "k" },
            claude: { api: "anthropic", baseUrl: ant.origin, apiKey: "k" },
          },
          agents: {
            defaults: { model: { primary: "oai/gpt-test" } },
            shards: 1,
            list: [
              { id: "main" },
              { id: "resp", model: { primary: "resp/gpt-test" } },
              { id: "claude", model: { primary: "claude/claude-test" } },
              { id: "tooling", model: { primary: "echo/echo" }, tools: { profile: "full" } },
            ],
          },
          tools: { web: { testAllowLoopback: true } },
          channels: {
            telegram: {
              accounts: {
                default: { botToken: telegram.token, apiRoot: telegram.apiRoot, dmPolicy: "open" },
              },
            },
            discord: {
              accounts: { default: { botToken: discord.token, apiRoot: discord.api, allowFrom: [ALICE.id] } },
            },
            whatsapp: {
              accounts: {
                biz: {
                  mode: "cloud",
                  phoneNumberId: wa.phoneNumberId,
                  accessToken: wa.token,
                  appSecret: waSecret,
                  verifyToken: "verify-token-0123456789",
                  graphApiRoot: wa.root,
                  dmPolicy: "open",
                },
              },
            },
          },
        }),
      );
      await using gw = spawnTalon(["gateway"], { TALON_HOME: home.dir, TALON_TOKEN: token }, [
        "--cached-only",
      ]);
      const url = (await gw.waitForLine(/listening on (http:\/\/[\d.:]+)/, 60_000))[1]!;
      const turn = async (agent: string, text: string) => {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ model: `talon/${agent}`, messages: [{ role: "user", content: text }] }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = await res.json() as any;
        assert.equal(res.status, 200, JSON.stringify(body) + gw.output());
        return String(body.choices[0].message.content);
      };
      assert.equal(await turn("main", "hello chat"), "from openai");
      assert.equal(await turn("resp", "hello responses"), "from openai");
      assert.equal(oai.requests.at(-1)?.path, "/v1/responses");
      assert.equal(await turn("claude", "hello claude"), "from anthropic");
      if (chromium) {
        const opened = await turn(
          "tooling",
          `/tool browser {"action":"open","url":"http://127.0.0.1:${page.addr.port}/"}`,
        );
        assert.match(opened, /Opened http:\/\/127\.0\.0\.1:\d+\/ \(200\): Cached page/);
      } else console.warn("no_fetch_test: browser turn skipped — no Chromium");

      telegram.pushMessage({ chat: { id: 4242, type: "private" }, from: { id: 4242 }, text: "hi telegram" });
      await telegram.waitForSent((s) => s.some((m) => String(m.chat_id) === "4242"), 60_000);
      // A photo over media.maxImageBytes: downscaled by the lazily loaded codecs, then sent as an image.
      const noise = new Uint8Array(300 * 300 * 4).map((_, i) => (i * 2654435761) >>> 24);
      const photo = new Uint8Array(jpeg.encode({ width: 300, height: 300, data: noise }, 95).data);
      assert.ok(photo.length > 20_000);
      telegram.addFile("big1", photo, "photos/big1.jpg");
      const before = oai.requests.length;
      telegram.pushMessage({
        chat: { id: 4242, type: "private" },
        from: { id: 4242 },
        caption: "what is this",
        photo: [{ file_id: "big1", file_unique_id: "B1", width: 300, height: 300, file_size: photo.length }],
      });
      await telegram.waitForSent((s) => s.filter((m) => String(m.chat_id) === "4242").length >= 2, 60_000);
      const sent = JSON.stringify(oai.requests.slice(before).map((r) => r.body));
      const url64 = /data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/.exec(sent)?.[1];
      assert.ok(url64 && atob(url64).length <= 20_000, "the photo reached the model, resized");
      assert.match(sent, /shown resized to \d+×\d+/);
      discord.message({ channelId: "500000000000000001", author: ALICE, content: "hi discord" });
      await discord.waitFor(() => discord.sent.length > 0, "the Discord reply", 60_000);
      assert.equal(discord.sent[0]!.content, "from openai");
      const hook = await postWebhook(
        `${url}/whatsapp/biz`,
        cloudDelivery(wa.phoneNumberId, [cloudText("15551234567", "wamid.nofetch1", "hi whatsapp")]),
        waSecret,
      );
      assert.equal(hook.status, 200, await hook.text());
      await wa.waitFor(() => wa.sent().length > 0, "the WhatsApp reply", 60_000);
      assert.doesNotMatch(gw.output(), /Download|--cached-only/);
    } finally {
      await page.shutdown();
      await discord.close();
      await wa.close();
      await telegram.close();
      await ant.close();
      await oai.close();
    }
  },
});
