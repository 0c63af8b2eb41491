import assert from "node:assert/strict";
import { createOnboardCommand } from "../../src/cli/onboard.ts";
import { EXIT } from "../../src/cli/io.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { tempHome } from "../helpers/temp.ts";
import {
  captureIo,
  closedPort,
  recordingRunner,
  scriptedPrompter,
  startFakeOllama,
} from "./onboard_helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).href;
const serviceQuestion: Array<[string, boolean]> = Deno.build.os === "linux" ? [["confirm", false]] : [];

Deno.test("onboard wizard: a pasted key goes to talon.env (0600), the config only names it", async () => {
  await using home = await tempHome();
  const openai = createFakeOpenAI({ apiKey: "sk-pasted", models: ["served-model"] });
  const telegram = startFakeTelegram();
  try {
    const script = scriptedPrompter([
      ["select", "compatible"],
      ["text", openai.url],
      ["confirm", true],
      ["text", "LOCAL_LLM_KEY"],
      ["password", "sk-pasted"],
      ["text", "served-model"],
      ["confirm", true],
      ["text", "TG_TOKEN"],
      ["text", "1234567, 89"],
      ["confirm", false],
      ["confirm", true],
      ["text", "+1 555 000 2222"],
      ...serviceQuestion,
    ]);
    const cmd = createOnboardCommand({
      runner: recordingRunner().runner,
      mainModule: MAIN,
      prompter: () => script.prompter,
    });
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir, TG_TOKEN: telegram.token }, true);
    const code = await cmd.run(
      ["--ollama-url", `http://127.0.0.1:${closedPort()}`, "--telegram-api-root", telegram.apiRoot],
      c.io,
    );
    assert.equal(code, EXIT.ok, [...script.shown, c.text()].join("\n"));
    assert.equal(script.remaining(), 0);
    assert.ok(
      !script.asked.some((q) => q.includes("TG_TOKEN is not set")),
      "a set variable is not asked for",
    );
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.deepEqual(raw.providers.local, {
      api: "openai-chat",
      baseUrl: openai.url,
      apiKey: "${LOCAL_LLM_KEY}",
    });
    assert.equal(raw.agents.defaults.model.primary, "local/served-model");
    assert.equal(raw.channels.telegram.accounts.default.botToken, "${TG_TOKEN}");
    assert.deepEqual(raw.channels.whatsapp.accounts.default, { mode: "web", owners: ["+15550002222"] });
    assert.deepEqual(
      raw.channels.telegram.accounts.default.owners,
      ["1234567", "89"],
      "the owner ids asked for",
    );
    const envFile = `${home.dir}/talon.env`;
    assert.equal(await Deno.readTextFile(envFile), "LOCAL_LLM_KEY=sk-pasted\n");
    assert.equal((await Deno.stat(envFile)).mode! & 0o777, 0o600);
    assert.ok(
      script.shown.some((l) => /✓ Test local \(compatible\): key accepted/.test(l)),
      script.shown.join("\n"),
    );
    assert.ok(script.shown.some((l) => l.includes("Control UI: http://127.0.0.1:18790/")));
  } finally {
    await openai.close();
    await telegram.close();
  }
});

Deno.test("onboard wizard: offers a detected Ollama first and lists its models", async () => {
  await using home = await tempHome();
  const ollama = startFakeOllama(["llama3.2:1b", "phi4"]);
  try {
    const script = scriptedPrompter([
      ["select", "ollama"],
      ["select", "phi4"],
      ["confirm", false],
      ["confirm", false],
      ["confirm", false],
      ...serviceQuestion,
    ]);
    const cmd = createOnboardCommand({
      runner: recordingRunner().runner,
      mainModule: MAIN,
      prompter: () => script.prompter,
    });
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir }, true);
    assert.equal(await cmd.run(["--ollama-url", ollama.url], c.io), EXIT.ok, script.shown.join("\n"));
    assert.match(script.asked[0]!, /^select: Model provider/);
    const raw = JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`));
    assert.equal(raw.agents.defaults.model.primary, "ollama/phi4");
    assert.equal(await Deno.stat(`${home.dir}/talon.env`).then(() => true, () => false), false);
  } finally {
    await ollama.close();
  }
});

Deno.test("onboard wizard: without Ollama it is not offered; a refused pasted key writes nothing", async () => {
  await using home = await tempHome();
  const openai = createFakeOpenAI({ apiKey: "sk-right" });
  try {
    const script = scriptedPrompter([
      ["select", "compatible"],
      ["text", openai.url],
      ["confirm", true],
      ["text", "SOME_KEY"],
      ["password", "sk-wrong"],
      ["text", "m"],
      ["confirm", false],
      ["confirm", false],
      ["confirm", false],
      ...serviceQuestion,
    ]);
    let offered: string[] = [];
    const select = script.prompter.select;
    script.prompter.select = (message, options, initial) => {
      offered = options.map((o) => o.value);
      return select(message, options, initial);
    };
    const cmd = createOnboardCommand({
      runner: recordingRunner().runner,
      mainModule: MAIN,
      prompter: () => script.prompter,
    });
    const c = captureIo({ HOME: home.dir, TALON_HOME: home.dir }, true);
    assert.equal(await cmd.run(["--ollama-url", `http://127.0.0.1:${closedPort()}`], c.io), EXIT.failure);
    assert.deepEqual(offered, ["openai", "anthropic", "compatible"]);
    assert.ok(script.shown.some((l) => /Nothing was written/.test(l)));
    assert.ok(!script.shown.join("\n").includes("sk-wrong"));
    for (const f of ["talon.json", "talon.env", "credentials/gateway-token"]) {
      assert.equal(await Deno.stat(`${home.dir}/${f}`).then(() => true, () => false), false, f);
    }
  } finally {
    await openai.close();
  }
});
