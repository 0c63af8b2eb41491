import assert from "node:assert/strict";
import { createOnboardCommand } from "../../src/cli/onboard.ts";
import { EXIT } from "../../src/cli/io.ts";
import { loadConfig } from "../../src/config/load.ts";
import { detectOllama, probeDiscord } from "../../src/ops/onboard_probe.ts";
import { mergeOnboardConfig } from "../../src/ops/onboard.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { startFakeDiscord } from "../fakes/fake_discord.ts";
import { tempHome } from "../helpers/temp.ts";
import { captureIo, closedPort, recordingRunner, startFakeOllama } from "./onboard_helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).href;

function command() {
  const rec = recordingRunner();
  return { cmd: createOnboardCommand({ runner: rec.runner, mainModule: MAIN }), calls: rec.calls };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("onboard --yes: tests the key and bot token, writes ${ENV} references and a 0600 token", async () => {
  await using home = await tempHome();
  const openai = createFakeOpenAI({ apiKey: "sk-good", models: ["gpt-fake"] });
  const telegram = startFakeTelegram();
  try {
    const env = { HOME: home.dir, TALON_HOME: home.dir, MY_KEY: "sk-good", TG_TOKEN: telegram.token };
    const c = captureIo(env);
    const code = await command().cmd.run([
      "--yes",
      "--provider=openai",
      "--api-key-env=MY_KEY",
      `--base-url=${openai.url}`,
      "--model=gpt-fake",
      "--telegram-token-env=TG_TOKEN",
      `--telegram-api-root=${telegram.apiRoot}`,
      `--ollama-url=http://127.0.0.1:${closedPort()}`,
    ], c.io);
    assert.equal(code, EXIT.ok, c.text());
    const text = await Deno.readTextFile(`${home.dir}/talon.json`);
    assert.ok(!text.includes("sk-good") && !text.includes(telegram.token), "no literal secret in the file");
    const raw = JSON.parse(text);
    assert.deepEqual(raw.providers.openai, { api: "openai-chat", baseUrl: openai.url, apiKey: "${MY_KEY}" });
    assert.equal(raw.agents.defaults.model.primary, "openai/gpt-fake");
    assert.equal(raw.channels.telegram.accounts.default.botToken, "${TG_TOKEN}");
    // One real call with the key, and getMe with the token.
    const modelCalls = openai.requests.filter((r) => r.method === "GET" && r.path === "/v1/models");
    assert.equal(modelCalls.length, 1);
    assert.equal(modelCalls[0]!.headers.authorization, "Bearer sk-good");
    assert.deepEqual(telegram.calls.map((x) => x.method), ["getMe"]);
    const token = await Deno.stat(`${home.dir}/credentials/gateway-token`);
    assert.equal(token.mode! & 0o777, 0o600);
    assert.ok((await Deno.readTextFile(`${home.dir}/credentials/gateway-token`)).trim().length >= 32);
    // Progress per step, and where to go next.
    assert.match(c.out.join("\n"), /✓ Test openai \(openai\): key accepted/);
    assert.match(c.out.join("\n"), /✓ Validate Telegram token: bot @talon_bot/);
    assert.match(c.out.join("\n"), /Control UI: http:\/\/127\.0\.0\.1:18790\//);
    // The written config loads with the same environment.
    const loaded = await loadConfig({ env });
    assert.equal(loaded.config.providers.openai?.apiKey, "sk-good");
  } finally {
    await openai.close();
    await telegram.close();
  }
});

Deno.test("onboard re-run: edits the config, keeps unrelated keys and the existing token", async () => {
  await using home = await tempHome();
  const anthropic = createFakeAnthropic({ apiKey: "ant-key" });
  try {
    const before = {
      gateway: { port: 19_999 },
      providers: {
        anthropic: { api: "anthropic", apiKey: "${OLD_KEY}", timeoutMs: 30_000 },
        other: { api: "echo" },
      },
      agents: { defaults: { model: { primary: "other/x", fallbacks: ["other/y"] } } },
      session: { dmScope: "per-peer" },
    };
    await Deno.writeTextFile(`${home.dir}/talon.json`, JSON.stringify(before));
    await Deno.mkdir(`${home.dir}/credentials`, { recursive: true });
    await Deno.writeTextFile(`${home.dir}/credentials/gateway-token`, "existing-token-existing-token\n");
    const env = { HOME: home.dir, TALON_HOME: home.dir, ANTHROPIC_API_KEY: "ant-key", OLD_KEY: "x" };
    const c = captureIo(env);
    const code = await command().cmd.run(
      ["-y", "--provider", "anthropic", "--base-url", anthropic.origin, "--model", "claude-fake"],
      c.io,
    );
    assert.equal(code, EXIT.ok, c.text());
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.deepEqual(raw.providers.anthropic, {
      api: "anthropic",
      apiKey: "${ANTHROPIC_API_KEY}",
      timeoutMs: 30_000,
      baseUrl: anthropic.origin,
    });
    assert.deepEqual(raw.providers.other, { api: "echo" });
    assert.deepEqual(raw.agents.defaults.model, { primary: "anthropic/claude-fake", fallbacks: ["other/y"] });
    assert.deepEqual(raw.gateway, { port: 19_999 });
    assert.deepEqual(raw.session, { dmScope: "per-peer" });
    assert.equal(
      await Deno.readTextFile(`${home.dir}/credentials/gateway-token`),
      "existing-token-existing-token\n",
    );
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json.bak`)), before);
    assert.match(c.out.join("\n"), /kept .*gateway-token/);
    assert.match(c.out.join("\n"), /Control UI: http:\/\/127\.0\.0\.1:19999\//);
    const sent = anthropic.requests[0]!.headers;
    assert.ok(
      [sent["x-api-key"], sent.authorization].some((h) => h?.endsWith("ant-key")),
      "the key was sent",
    );
  } finally {
    await anthropic.close();
  }
});

Deno.test("onboard: a refused key is reported and nothing is written", async () => {
  await using home = await tempHome();
  const openai = createFakeOpenAI({ apiKey: "sk-good" });
  try {
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir, OPENAI_API_KEY: "sk-wrong" });
    const code = await command().cmd.run(["-y", "--provider=openai", `--base-url=${openai.url}`], c.io);
    assert.equal(code, EXIT.failure);
    assert.match(c.err.join("\n"), /✗ Test openai \(openai\): the key was refused \(HTTP 401\)/);
    assert.match(c.err.join("\n"), /Nothing was written/);
    assert.ok(!c.text().includes("sk-wrong"), "the key is never printed");
    assert.equal(await exists(`${home.dir}/talon.json`), false);
    assert.equal(await exists(`${home.dir}/credentials/gateway-token`), false);
  } finally {
    await openai.close();
  }
});

Deno.test("onboard: a refused Telegram token leaves an existing config untouched", async () => {
  await using home = await tempHome();
  const telegram = startFakeTelegram();
  try {
    const original = '{ "gateway": { "port": 18801 } }\n';
    await Deno.writeTextFile(`${home.dir}/talon.json`, original);
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir, TG: "123:not-the-token" });
    const code = await command().cmd.run(
      [
        "-y",
        "--telegram-token-env",
        "TG",
        "--telegram-api-root",
        telegram.apiRoot,
        "--ollama-url",
        `http://127.0.0.1:${closedPort()}`,
      ],
      c.io,
    );
    assert.equal(code, EXIT.failure);
    assert.match(c.err.join("\n"), /Telegram refused the token: Unauthorized/);
    assert.equal(await Deno.readTextFile(`${home.dir}/talon.json`), original);
    assert.equal(await exists(`${home.dir}/talon.json.bak`), false);
  } finally {
    await telegram.close();
  }
});

Deno.test("onboard: an unparseable existing config is not overwritten", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(`${home.dir}/talon.json`, "{ broken");
  const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir });
  const code = await command().cmd.run(["-y", `--ollama-url=http://127.0.0.1:${closedPort()}`], c.io);
  assert.equal(code, EXIT.failure);
  assert.match(c.err.join("\n"), /onboard will not overwrite it/);
  assert.equal(await Deno.readTextFile(`${home.dir}/talon.json`), "{ broken");
});

Deno.test("onboard: detects a local Ollama and configures it without a key", async () => {
  await using home = await tempHome();
  const ollama = startFakeOllama(["llama3.2:1b", "qwen2.5:0.5b"]);
  try {
    assert.deepEqual(await detectOllama({ url: ollama.url }), {
      url: ollama.url,
      models: ["llama3.2:1b", "qwen2.5:0.5b"],
    });
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir });
    const code = await command().cmd.run(["--yes", "--ollama-url", ollama.url], c.io);
    assert.equal(code, EXIT.ok, c.text());
    assert.match(c.out.join("\n"), /Found Ollama at .* \(2 models\)/);
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.deepEqual(raw.providers.ollama, { api: "openai-chat", baseUrl: `${ollama.url}/v1` });
    assert.equal(raw.agents.defaults.model.primary, "ollama/llama3.2:1b");
    assert.ok(ollama.requests.includes("GET /v1/models"), "the server was called through the SDK");
  } finally {
    await ollama.close();
  }
});

Deno.test("onboard: no Ollama on a closed port or on a server that is not Ollama", async () => {
  assert.equal(await detectOllama({ url: `http://127.0.0.1:${closedPort()}` }), undefined);
  const other = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ hi: 1 }),
  );
  try {
    assert.equal(await detectOllama({ url: `http://127.0.0.1:${other.addr.port}` }), undefined);
  } finally {
    await other.shutdown();
  }
});

Deno.test("onboard: Discord token checked with GET /users/@me", async () => {
  await using home = await tempHome();
  const discord = startFakeDiscord();
  const ollama = startFakeOllama(["m"]);
  try {
    assert.deepEqual(await probeDiscord("wrong", discord.api), {
      ok: false,
      reason: "Discord refused the token: 401: Unauthorized",
    });
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir, DC: discord.token });
    const code = await command().cmd.run(
      ["-y", "--ollama-url", ollama.url, "--discord-token-env", "DC", "--discord-api-root", discord.api],
      c.io,
    );
    assert.equal(code, EXIT.ok, c.text());
    assert.match(c.out.join("\n"), /✓ Validate Discord token: bot /);
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.deepEqual(raw.channels.discord.accounts.default, { botToken: "${DC}" });
  } finally {
    await discord.close();
    await ollama.close();
  }
});

Deno.test("onboard --install-service: writes the unit and enables it through the runner", async () => {
  await using home = await tempHome();
  const ollama = startFakeOllama(["m"]);
  try {
    const { cmd, calls } = command();
    const env = { HOME: home.dir, TALON_HOME: home.dir, XDG_CONFIG_HOME: `${home.dir}/xdg` };
    const c = captureIo(env);
    const code = await cmd.run(["-y", "--ollama-url", ollama.url, "--install-service"], c.io);
    assert.equal(code, EXIT.ok, c.text());
    assert.deepEqual(calls, [
      "systemctl --user is-system-running",
      "systemctl --user daemon-reload",
      "systemctl --user enable talon.service",
      "systemctl --user start talon.service",
    ]);
    const unit = await Deno.readTextFile(`${home.dir}/xdg/systemd/user/talon.service`);
    assert.match(unit, /RestartPreventExitStatus=78/);
    assert.match(c.out.join("\n"), /✓ Install service: Installed/);
  } finally {
    await ollama.close();
  }
});

Deno.test("onboard: bad flags are usage errors and write nothing", async () => {
  await using home = await tempHome();
  const env = { HOME: home.dir, TALON_HOME: home.dir };
  const cases: Array<[string[], RegExp]> = [
    [["--provider", "bogus"], /--provider must be/],
    [["--provider", "openai", "--api-key-env", "UNSET_VAR"], /UNSET_VAR is not set/],
    [["--provider", "openai", "--api-key-env", "1-bad name"], /not an environment variable name/],
    [["--provider", "compatible", "--model", "m"], /needs --base-url/],
    [["--provider", "compatible", "--base-url", "not a url", "--model", "m"], /is not a URL/],
    [["--telegram-token-env", "NOPE", "--ollama-url", `http://127.0.0.1:${closedPort()}`], /NOPE is not set/],
  ];
  for (const [args, re] of cases) {
    const c = captureIo(env);
    assert.equal(await command().cmd.run(["-y", ...args], c.io), EXIT.usage, args.join(" "));
    assert.match(c.err.join("\n"), re);
  }
  assert.equal(await exists(`${home.dir}/talon.json`), false);
});

Deno.test("mergeOnboardConfig: a compatible server without a key drops a stale apiKey and baseUrl", () => {
  const raw = {
    providers: {
      local: { api: "openai-chat", apiKey: "${OLD}", baseUrl: "http://a/v1", headers: { x: "1" } },
    },
  };
  const out = mergeOnboardConfig(raw, {
    provider: { kind: "compatible", baseUrl: "http://b/v1", model: "local/m" },
  });
  assert.deepEqual((out.providers as Record<string, unknown>).local, {
    api: "openai-chat",
    baseUrl: "http://b/v1",
    headers: { x: "1" },
  });
  assert.equal(raw.providers.local.apiKey, "${OLD}", "the input is not mutated");
});

Deno.test("onboard --whatsapp: adds a linked-device account with the owner's number, says how to link", async () => {
  await using home = await tempHome();
  const ollama = startFakeOllama(["m"]);
  try {
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir });
    const code = await command().cmd.run(
      ["-y", "--ollama-url", ollama.url, "--whatsapp", "--whatsapp-owner", "+1 (555) 000-1111"],
      c.io,
    );
    assert.equal(code, EXIT.ok, c.text());
    assert.match(c.out.join("\n"), /talon channels login whatsapp/);
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.deepEqual(raw.channels.whatsapp.accounts.default, { mode: "web", owners: ["+15550001111"] });
    const loaded = await loadConfig({ env: { TALON_HOME: home.dir, HOME: home.dir } });
    assert.equal(loaded.config.channels.whatsapp?.accounts.default?.dmPolicy, "pairing");
    const bad = captureIo({ HOME: home.dir, TALON_HOME: home.dir });
    assert.equal(
      await command().cmd.run(
        ["-y", "--ollama-url", ollama.url, "--whatsapp", "--whatsapp-owner", "me"],
        bad.io,
      ),
      EXIT.usage,
    );
    assert.equal(
      await command().cmd.run(["-y", "--ollama-url", ollama.url, "--whatsapp-owner", "+15550001111"], bad.io),
      EXIT.usage,
    );
  } finally {
    await ollama.close();
  }
});
