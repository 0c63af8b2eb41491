import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { createLogger, memorySink } from "../../src/core/logger.ts";
import { createProviders, noModelHelp, resolveModelChain } from "../../src/providers/registry.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { collect, request, textOf } from "./helpers.ts";

const cfg = (raw: Record<string, unknown>, env: Record<string, string> = {}) =>
  validateConfig(raw, { env, file: "talon.json", fromFile: true });

Deno.test("registry: builds every configured provider plus the built-in echo, wired to its endpoint", async () => {
  const oai = createFakeOpenAI();
  const ant = createFakeAnthropic();
  const sink = memorySink();
  try {
    const config = cfg({
      providers: {
        local: {
          api: "openai-chat",
          baseUrl: oai.url,
          apiKey: "sk-local-secret-1234567",
          headers: { "x-org": "talon" },
        },
        resp: { api: "openai-responses", baseUrl: oai.url, apiKey: "${RESP_KEY}" },
        claude: { api: "anthropic", baseUrl: ant.origin, apiKey: "sk-ant-secret-abcdefgh" },
      },
    }, { RESP_KEY: "sk-resp-secret-7654321" });
    const providers = createProviders({ config, logger: createLogger({ level: "debug", sinks: [sink] }) });
    assert.deepEqual([...providers.keys()].sort(), ["claude", "echo", "local", "resp"]);

    oai.enqueue({ text: "from local" }, { text: "from responses" });
    ant.enqueue({ text: "from claude" });
    assert.equal(textOf((await collect(providers.get("local")!.stream(request()))).events), "from local");
    assert.equal(textOf((await collect(providers.get("resp")!.stream(request()))).events), "from responses");
    assert.equal(textOf((await collect(providers.get("claude")!.stream(request()))).events), "from claude");
    assert.equal(oai.requests[0]!.path, "/v1/chat/completions");
    assert.equal(oai.requests[0]!.headers["x-org"], "talon");
    assert.equal(oai.requests[0]!.headers.authorization, "Bearer sk-local-secret-1234567");
    assert.equal(oai.requests[1]!.path, "/v1/responses");
    assert.equal(oai.requests[1]!.headers.authorization, "Bearer sk-resp-secret-7654321");

    const logged = JSON.stringify(sink.records);
    assert.match(logged, /provider configured/);
    for (const secret of ["sk-local-secret-1234567", "sk-resp-secret-7654321", "sk-ant-secret-abcdefgh"]) {
      assert.ok(!logged.includes(secret), `${secret} must not be logged`);
    }
  } finally {
    await oai.close();
    await ant.close();
  }
});

Deno.test("registry: with no config file, OPENAI_* env and TALON_MODEL give a working chain", async () => {
  const oai = createFakeOpenAI();
  try {
    const config = validateConfig({}, {
      env: {
        OPENAI_API_KEY: "sk-env-key-12345678",
        OPENAI_BASE_URL: oai.url,
        TALON_MODEL: "openai/gpt-4.1-mini",
      },
      file: "talon.json",
      fromFile: false,
    });
    const providers = createProviders({ config, logger: createLogger({ sinks: [] }) });
    assert.deepEqual(resolveModelChain(config, "main"), ["openai/gpt-4.1-mini"]);
    oai.enqueue({ text: "env works" });
    const { events } = await collect(providers.get("openai")!.stream(request({ model: "gpt-4.1-mini" })));
    assert.equal(textOf(events), "env works");
    assert.equal(oai.requests[0]!.body.model, "gpt-4.1-mini");
  } finally {
    await oai.close();
  }
});

Deno.test("registry: resolveModelChain prefers the agent's model, then the defaults, without duplicates", () => {
  const config = cfg({
    agents: {
      defaults: { model: { primary: "openai/a", fallbacks: ["anthropic/b", "openai/a"] } },
      list: [
        { id: "main" },
        { id: "coder", model: { primary: "anthropic/c", fallbacks: ["openai/d"] } },
        { id: "cheap", model: { primary: "openai/e" } },
        { id: "backup", model: { fallbacks: ["openai/f"] } },
      ],
    },
  });
  assert.deepEqual(resolveModelChain(config, "main"), ["openai/a", "anthropic/b"]);
  assert.deepEqual(resolveModelChain(config, "coder"), ["anthropic/c", "openai/d"]);
  assert.deepEqual(resolveModelChain(config, "cheap"), ["openai/e", "anthropic/b", "openai/a"]);
  assert.deepEqual(resolveModelChain(config, "backup"), ["openai/a", "openai/f"]);
  assert.deepEqual(resolveModelChain(config, "unknown-agent"), ["openai/a", "anthropic/b"]);
});

Deno.test("registry: nothing configured → empty chain and a help text on adding a provider", () => {
  const config = cfg({});
  assert.deepEqual(resolveModelChain(config, "main"), []);
  const help = noModelHelp(config);
  assert.match(help, /OPENAI_API_KEY/);
  assert.match(help, /"providers"/);
  assert.match(help, /echo\/echo/);
  const withProvider = cfg({
    providers: { ollama: { api: "openai-chat", baseUrl: "http://127.0.0.1:11434/v1" } },
  });
  assert.deepEqual(resolveModelChain(withProvider, "main"), []);
  assert.match(noModelHelp(withProvider), /Providers configured: ollama/);
  assert.match(noModelHelp(withProvider), /"primary": "ollama\/<model-name>"/);
});
