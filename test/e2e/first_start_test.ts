import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { startGateway } from "../../src/app/gateway_runtime.ts";

Deno.test("first start prints the token, then the next steps (dashboard, and a model when none is set)", async () => {
  const home = await Deno.makeTempDir({ prefix: "talon-first-" });
  try {
    await Deno.writeTextFile(
      `${home}/talon.json`,
      JSON.stringify({ gateway: { port: 0 }, logging: { console: false } }),
    );
    const env = { HOME: home, TALON_HOME: home };
    const lines: string[] = [];
    const gw = await startGateway({ loaded: await loadConfig({ env }), env, print: (l) => lines.push(l) });
    await gw.shutdown();
    const text = lines.join("\n");
    assert.match(text, /Generated a gateway token/);
    assert.match(
      text,
      /Next: open http:\/\/127\.0\.0\.1:\d+\/ and paste the token, or run "talon dashboard"/,
    );
    assert.match(text, /TALON_MODEL=echo\/echo/);
    assert.ok(text.indexOf("Next:") > text.indexOf("Generated a gateway token"), "after the token");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
