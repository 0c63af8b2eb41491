/** `talon dashboard`: a one-time sign-in link from the gateway, never the token; opened only with a display. */
import assert from "node:assert/strict";
import { gatewayHttpBase, hasDisplay, runDashboard } from "../../src/cli/dashboard.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { randomToken } from "../../src/core/ids.ts";
import { registerUiMethods } from "../../src/gateway/methods/ui_methods.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";

/** Registers the UI methods when the composition root has not (yet). */
function ensureUiMethods(gw: TestGateway) {
  if (gw.registry.get("ui.signin.create")) return;
  registerUiMethods(gw.registry, {
    credentials: gw.store.credentials,
    audit: gw.store.audit,
    // RunningGateway does not expose the authenticator; a failed attempt makes it re-read credentials.
    reloadAuth: async () => {
      await gw.connect({ token: "not-a-valid-token-xxxxxxxx" }).then((c) => c.close(), () => {});
    },
    configFile: `${gw.home}/talon.json`,
    env: { HOME: gw.home, TALON_HOME: gw.home },
    now: () => Date.now(),
  });
}

function captureIo(env: Record<string, string>) {
  const io = { out: "", err: "" };
  const cliIo: CliIo = {
    out: (t) => void (io.out += t + "\n"),
    err: (t) => void (io.err += t + "\n"),
    env,
    interactive: false,
  };
  return { io, cliIo };
}

Deno.test("gatewayHttpBase and hasDisplay", () => {
  assert.equal(gatewayHttpBase({ bind: "127.0.0.1", port: 18790 }), "http://127.0.0.1:18790");
  assert.equal(gatewayHttpBase({ bind: "0.0.0.0", port: 80 }), "http://127.0.0.1:80");
  assert.equal(gatewayHttpBase({ bind: "::1", port: 5 }), "http://[::1]:5");
  assert.equal(
    gatewayHttpBase({ bind: "x", port: 1 }, "wss://gw.example:8443/ws"),
    "https://gw.example:8443",
  );
  assert.equal(gatewayHttpBase({ bind: "x", port: 1 }, "ws://10.0.0.2:9/ws?x=1"), "http://10.0.0.2:9");
  assert.throws(
    () => gatewayHttpBase({ bind: "x", port: 1 }, "http://h:1/ws"),
    /must be ws:\/\/ or wss:\/\//,
  );
  assert.equal(hasDisplay("linux", {}), false);
  assert.equal(hasDisplay("linux", { DISPLAY: ":0" }), true);
  assert.equal(hasDisplay("linux", { WAYLAND_DISPLAY: "wayland-0" }), true);
  assert.equal(hasDisplay("darwin", {}), true);
});

Deno.test("talon dashboard --print: a working one-time sign-in link without the gateway token", async () => {
  await using gw = await startTestGateway();
  ensureUiMethods(gw);
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });
  const r = await cli(["dashboard", "--print"], env);
  assert.equal(r.code, 0, r.err);
  const url = r.out.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#signin=[A-Za-z0-9_-]{16,}$/);
  assert.ok(url.startsWith(`${gw.url}/#signin=`), `${url} points at the gateway`);
  assert.ok(!url.includes(gw.token.token), "the gateway token is not in the URL");
  assert.ok(!r.out.includes(gw.token.token) && !r.err.includes(gw.token.token));

  const code = url.slice(url.indexOf("#signin=") + "#signin=".length);
  const signedIn = await gw.connect({ token: code });
  try {
    const { token } = await signedIn.request<{ token: string }>("ui.signin.redeem");
    assert.ok(token && token !== code && token !== gw.token.token);
  } finally {
    await signedIn.close();
  }
  await assert.rejects(
    gw.connect({ token: code }),
    /This link was already used — run `talon dashboard` again/,
    "the link works once",
  );

  const second = await cli(["dashboard", "--print"], env);
  assert.notEqual(second.out.trim(), url, "every run makes a new code");
  const json = JSON.parse((await cli(["dashboard", "--json"], env)).out);
  assert.match(json.url, /#signin=/);
  assert.ok(json.expiresAt > Date.now());
});

Deno.test("talon dashboard opens the link only with a display and without --no-open", async () => {
  await using gw = await startTestGateway();
  ensureUiMethods(gw);
  const opened: string[] = [];
  const deps = {
    os: "linux" as const,
    open: (url: string) => Promise.resolve(opened.push(url) > 0),
  };
  const base = testEnv(gw.home, { TALON_PORT: String(gw.port) });

  const withDisplay = captureIo({ ...base, DISPLAY: ":0" });
  assert.equal(await runDashboard([], withDisplay.cliIo, deps), 0, withDisplay.io.err);
  assert.equal(opened.length, 1);
  assert.match(opened[0]!, new RegExp(`^${gw.url.replaceAll(".", "\\.")}/#signin=`));
  assert.ok(withDisplay.io.out.includes(opened[0]!), "the link is printed too");
  assert.match(withDisplay.io.out, /Opened it in your browser/);
  assert.match(withDisplay.io.out, /works once, for \d+ s/);

  const noOpen = captureIo({ ...base, DISPLAY: ":0" });
  assert.equal(await runDashboard(["--no-open"], noOpen.cliIo, deps), 0);
  assert.equal(opened.length, 1, "--no-open does not start a browser");
  assert.match(noOpen.io.out, /#signin=/);
  assert.doesNotMatch(noOpen.io.out, /Opened|No browser/);

  const headless = captureIo(base);
  assert.equal(await runDashboard([], headless.cliIo, deps), 0);
  assert.equal(opened.length, 1, "no display, no browser");
  assert.match(headless.io.out, /No browser could be started here; open the link yourself/);

  const failing = captureIo({ ...base, WAYLAND_DISPLAY: "wayland-0" });
  assert.equal(await runDashboard([], failing.cliIo, { os: "linux", open: () => Promise.resolve(false) }), 0);
  assert.match(failing.io.out, /No browser could be started here/);
});

Deno.test("talon dashboard: needs the admin scope; usage errors exit 2; unreachable exits 69", async () => {
  await using gw = await startTestGateway();
  ensureUiMethods(gw);
  const readToken = randomToken(32);
  await gw.store.credentials.put({ name: "viewer", kind: "operator", scopes: ["read"], token: readToken });
  const viewer = await cli(
    ["dashboard", "--print"],
    testEnv(gw.home, { TALON_PORT: String(gw.port), TALON_TOKEN: readToken }),
  );
  assert.equal(viewer.code, 1);
  assert.match(viewer.err, /talon dashboard: .*requires the admin scope/);
  assert.equal(viewer.out, "");

  await using home = await tempHome();
  const env = testEnv(home.dir, { TALON_PORT: "1" });
  const extra = await cli(["dashboard", "now"], env);
  assert.equal(extra.code, 2);
  assert.match(extra.err, /unexpected argument "now"/);
  const badUrl = await cli(["dashboard", "--url", "http://127.0.0.1:1/ws"], env);
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.err, /--url must be ws:\/\/ or wss:\/\//);
  const down = await cli(["dashboard", "--print", "--timeout", "2000"], env);
  assert.equal(down.code, 69);
  assert.match(down.err, /cannot reach the gateway/);
});
