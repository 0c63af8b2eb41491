// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { loadConfig, validateConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";

async function loadWith(text: string | undefined, extraEnv: Record<string, string> = {}) {
  await using home = await tempHome();
  if (text !== undefined) await Deno.writeTextFile(`${home.dir}/talon.json`, text);
  return await loadConfig({ env: testEnv(home.dir, extraEnv) });
}

async function errorOf(text: string, extraEnv: Record<string, string> = {}): Promise<string> {
  try {
    await loadWith(text, extraEnv);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.message;
  }
  throw new Error("expected the config to be refused");
}

Deno.test("a missing file means defaults: loopback, port 18790, main agent", async () => {
  const loaded = await loadWith(undefined);
  assert.equal(loaded.fromFile, false);
  assert.equal(loaded.config.gateway.bind, "127.0.0.1");
  assert.equal(loaded.config.gateway.port, 18790);
  assert.deepEqual(loaded.config.agents.list.map((a) => a.id), ["main"]);
  assert.equal(loaded.config.channels.telegram, undefined);
  assert.ok(Object.isFrozen(loaded.config.gateway));
  assert.ok(loaded.paths.configFile.endsWith("/talon.json"));
});

Deno.test("${ENV} references are substituted; $${X} stays literal", async () => {
  const loaded = await loadWith(
    JSON.stringify({
      providers: { openai: { api: "openai-chat", apiKey: "${MY_KEY}", headers: { x: "$${LITERAL}" } } },
    }),
    { MY_KEY: "sk-from-env" },
  );
  assert.equal(loaded.config.providers.openai!.apiKey, "sk-from-env");
  assert.equal(loaded.config.providers.openai!.headers!.x, "${LITERAL}");
  assert.equal((loaded.raw as any).providers.openai.apiKey, "${MY_KEY}", "raw keeps the reference");
});

Deno.test("env overrides TALON_PORT, TALON_BIND, TALON_TOKEN win over the file", async () => {
  const loaded = await loadWith(JSON.stringify({ gateway: { port: 1234 } }), {
    TALON_PORT: "4321",
    TALON_BIND: "::1",
    TALON_TOKEN: "a-token-that-is-long-enough",
  });
  assert.equal(loaded.config.gateway.port, 4321);
  assert.equal(loaded.config.gateway.bind, "::1");
  assert.equal(loaded.config.gateway.auth.token, "a-token-that-is-long-enough");
});

Deno.test("standard provider env vars and TALON_MODEL set up providers and the default model", async () => {
  const loaded = await loadWith(undefined, {
    OPENAI_API_KEY: "sk-1",
    OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
    ANTHROPIC_API_KEY: "sk-ant-1",
    TALON_MODEL: "openai/gpt-4.1-mini",
  });
  assert.deepEqual(loaded.config.providers.openai, {
    api: "openai-chat",
    apiKey: "sk-1",
    baseUrl: "http://127.0.0.1:1/v1",
  });
  assert.equal(loaded.config.providers.anthropic!.api, "anthropic");
  assert.equal(loaded.config.agents.defaults.model.primary, "openai/gpt-4.1-mini");
});

Deno.test("TALON_HOME moves the state directory; --config picks another file", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(`${home.dir}/other.json`, JSON.stringify({ gateway: { port: 1111 } }));
  const loaded = await loadConfig({ env: testEnv(home.dir), configFile: `${home.dir}/other.json` });
  assert.equal(loaded.config.gateway.port, 1111);
  assert.equal(loaded.paths.dbFile, `${home.dir}/talon.db`);
  await assert.rejects(
    loadConfig({ env: testEnv(home.dir), configFile: `${home.dir}/missing.json` }),
    (e: Error) =>
      e instanceof ConfigError && /Cannot read config .*missing\.json: file not found/.test(e.message),
  );
});

// Every kind of invalid config gives an error naming the file, the key path and what was expected.
const INVALID: [name: string, text: string, expected: RegExp, env?: Record<string, string>][] = [
  [
    "syntax error with line",
    '{\n  "gateway": {\n    "port": 18790,,\n  }\n}',
    /talon\.json: line 3 column \d+/,
  ],
  ["not an object", "[1,2]", /talon\.json: \(root\): expected an object/],
  ["wrong type", '{"gateway":{"port":"high"}}', /gateway\.port: expected number, received string/],
  ["out of range", '{"gateway":{"port":70000}}', /gateway\.port: Too big/i],
  ["unknown key", '{"gateway":{"prot":1}}', /gateway: unknown key "prot"/],
  ["unknown section", '{"gatewya":{}}', /\(root\): unknown key "gatewya"/],
  [
    "bad enum",
    '{"channels":{"telegram":{"accounts":{"a":{"botToken":"x","dmPolicy":"everyone"}}}}}',
    /channels\.telegram\.accounts\.a\.dmPolicy: .*"pairing"/,
  ],
  [
    "bad model ref",
    '{"agents":{"defaults":{"model":{"primary":"gpt4"}}}}',
    /agents\.defaults\.model\.primary: expected a model ref/,
  ],
  ["bad agent id", '{"agents":{"list":[{"id":"Main Agent"}]}}', /agents\.list\[0\]\.id: lowercase/],
  [
    "short token",
    '{"gateway":{"auth":{"token":"short"}}}',
    /gateway\.auth\.token: must have at least 24 char/,
  ],
  [
    "missing env var",
    '{"gateway":{"auth":{"token":"${NOPE_NOT_SET}"}}}',
    /gateway\.auth\.token: environment variable NOPE_NOT_SET is not set/,
  ],
  ["bad TALON_PORT", "{}", /^Invalid environment variable TALON_PORT: expected a port number/, {
    TALON_PORT: "abc",
  }],
];

for (const [name, text, expected, env] of INVALID) {
  Deno.test(`invalid config is refused with a clear error: ${name}`, async () => {
    const message = await errorOf(text, env);
    // A broken environment variable is not blamed on the file.
    if (env) assert.doesNotMatch(message, /talon\.json/);
    else assert.match(message, /talon\.json/);
    assert.match(message, expected);
  });
}

Deno.test("validateConfig refuses non-objects without throwing anything but ConfigError", () => {
  for (const bad of [null, 42, "x", []]) {
    assert.throws(() => validateConfig(bad, { env: {}, file: "t.json" }), ConfigError);
  }
});
