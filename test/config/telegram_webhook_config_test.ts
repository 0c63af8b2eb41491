import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { runDoctor } from "../../src/ops/doctor.ts";

Deno.test("a Telegram account in webhook mode without webhookSecret is a config error naming the key", async () => {
  const home = await Deno.makeTempDir({ prefix: "talon-webhook-" });
  try {
    await Deno.writeTextFile(
      `${home}/talon.json`,
      JSON.stringify({
        channels: { telegram: { accounts: { shop: { botToken: "123:abc", mode: "webhook" } } } },
      }),
    );
    await assert.rejects(
      loadConfig({ env: { TALON_HOME: home } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /channels\.telegram\.accounts\.shop\.webhookSecret: required/.test(e.message),
    );
    const results = await runDoctor({
      env: { TALON_HOME: home },
      fix: false,
      runner: () => Promise.resolve({ code: 0, stdout: "", stderr: "" }),
      fetch: () => Promise.reject(new Error("offline")),
      now: () => Date.now(),
      online: false,
      unitFiles: [],
      browserCandidates: [],
    });
    const config = results.find((r) => r.id === "config");
    assert.equal(config?.status, "fail");
    assert.match(config!.what, /webhookSecret/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
