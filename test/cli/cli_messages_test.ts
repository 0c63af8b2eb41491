/** What the CLI says when something is wrong: each message names its real source and what to do. */
import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { freePort } from "../helpers/ports.ts";
import { EXIT } from "../../src/cli/io.ts";
import { missingWorkerFlag } from "../../src/cli/worker_flag_check.ts";
import { HELP_TEXT } from "../../src/agent/commands.ts";
import { ECHO_NOTICE } from "../../src/providers/echo.ts";
import { listenError } from "../../src/app/gateway_runtime.ts";

async function withHome(raw: Record<string, unknown> | undefined, fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "talon-cli-msg-" });
  try {
    if (raw) await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(raw));
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("an invalid file is reported even when --port or TALON_PORT would override the broken key", async () => {
  await withHome({ gateway: { port: "abc" } }, async (home) => {
    const env = { TALON_HOME: home, HOME: home };
    const validate = await cli(["config", "validate"], env);
    assert.equal(validate.code, EXIT.config);
    const gw = await cli(["gateway", "--port", "18795"], env);
    assert.equal(gw.code, EXIT.config, gw.err);
    assert.match(gw.err, /talon\.json: *\n? *gateway\.port: expected number/);
    const viaEnv = await cli(["status"], { ...env, TALON_PORT: "18795" });
    assert.equal(viaEnv.code, EXIT.config, viaEnv.err);
  });
});

Deno.test("errors name their source: --port, TALON_PORT, TALON_TOKEN; one token minimum everywhere", async () => {
  await withHome({}, async (home) => {
    const env = { TALON_HOME: home, HOME: home };
    const flag = await cli(["gateway", "--port", "abc"], env);
    assert.equal(flag.code, EXIT.usage);
    assert.match(flag.err, /--port: expected a port number 0-65535, got "abc"/);
    assert.doesNotMatch(flag.err, /talon\.json|TALON_PORT/);
    const port = await cli(["status"], { ...env, TALON_PORT: "abc" });
    assert.equal(port.code, EXIT.config);
    assert.match(port.err, /Invalid environment variable TALON_PORT/);
    assert.doesNotMatch(port.err, /talon\.json/);
    const token = await cli(["status"], { ...env, TALON_TOKEN: "short" });
    assert.equal(token.code, EXIT.config);
    assert.match(token.err, /Invalid environment variable TALON_TOKEN: .*at least 24 characters, got 5/);
    assert.doesNotMatch(token.err, /talon\.json/);
  });
  await withHome({ gateway: { auth: { token: "sixteen-chars-ok" } } }, async (home) => {
    const r = await cli(["config", "validate"], { TALON_HOME: home, HOME: home });
    assert.equal(r.code, EXIT.config);
    assert.match(r.err, /gateway\.auth\.token: must have at least 24 characters/);
  });
});

Deno.test("a busy port is named, with what to do", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    await withHome({}, async (home) => {
      const r = await cli(["gateway", "--port", String(port)], { TALON_HOME: home, HOME: home });
      assert.equal(r.code, EXIT.failure);
      assert.match(r.err, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(r.err, /talon status/);
      assert.match(r.err, /--port <n>/);
      assert.doesNotMatch(r.err, /os error 98/);
    });
  } finally {
    listener.close();
  }
  const other = new Error("other");
  assert.equal(listenError(other, "127.0.0.1", 1), other, "other errors pass through");
});

Deno.test("status: unreachable (69, with the URL) and unauthorized (77, with the token's source) differ", async () => {
  const port = await freePort();
  await withHome({ gateway: { port } }, async (home) => {
    const env = { TALON_HOME: home, HOME: home };
    const down = await cli(["status"], env);
    assert.equal(down.code, EXIT.unavailable);
    assert.match(down.err, new RegExp(`cannot reach the gateway at ws://127\\.0\\.0\\.1:${port}/ws`));
    assert.match(down.err, /nothing is listening there/);
    assert.doesNotMatch(down.err, /Connection closed \(0\)/);
  });
  await using gw = await startTestGateway({});
  const env = { TALON_HOME: gw.home, HOME: gw.home };
  const url = `${gw.wsUrl}`;
  const wrong = await cli(["status", "--url", url], {
    ...env,
    TALON_TOKEN: "a-wrong-token-that-is-long-enough",
  });
  assert.equal(wrong.code, EXIT.unauthorized, wrong.err);
  assert.equal(EXIT.unauthorized, 77);
  assert.match(
    wrong.err,
    new RegExp(`the gateway at ${url.replaceAll(".", "\\.")} refused the token from TALON_TOKEN`),
  );
  assert.doesNotMatch(wrong.err, /cannot reach|GatewayRequestError/);
  const right = await cli(["status", "--url", url], env);
  assert.equal(right.code, EXIT.ok, right.err);
  assert.match(right.out, /model {5}none|model {5}NONE/i);
  assert.match(right.out, /providers none configured/);
});

Deno.test("talon --config X <cmd> works as the help says; commands that read no config say so", async () => {
  await withHome({ gateway: { port: "abc" } }, async (home) => {
    const env = { TALON_HOME: `${home}/elsewhere`, HOME: home };
    const r = await cli(["--config", `${home}/talon.json`, "config", "validate"], env);
    assert.equal(r.code, EXIT.config, r.err);
    assert.match(r.err, /gateway\.port/);
    const eq = await cli([`--config=${home}/talon.json`, "config", "validate"], env);
    assert.equal(eq.code, EXIT.config);
    const version = await cli(["--config", `${home}/talon.json`, "version"], env);
    assert.equal(version.code, EXIT.usage);
    assert.match(version.err, /does not read a config file/);
    assert.equal((await cli(["--config"], env)).code, EXIT.usage);
  });
});

Deno.test("status shows the default model and providers; echo does not claim no model; config set's first write has no .bak", async () => {
  await using gw = await startTestGateway({ agents: { defaults: { model: { primary: "echo/echo" } } } });
  const env = { TALON_HOME: gw.home, HOME: gw.home };
  const status = await cli(["status", "--url", gw.wsUrl], env);
  assert.match(status.out, /model {5}echo\/echo \(echo dev provider/);
  assert.doesNotMatch(ECHO_NOTICE, /no model configured/);
  assert.match(HELP_TEXT, /\/queue/);
  assert.match(HELP_TEXT, /\/approve/);
  await withHome(undefined, async (home) => {
    const first = await cli(["config", "set", "gateway.port", "18791"], { TALON_HOME: home, HOME: home });
    assert.equal(first.code, EXIT.ok, first.err);
    assert.match(first.out, /\(new file\)/);
    assert.doesNotMatch(first.out, /\.bak/);
    const second = await cli(["config", "set", "gateway.port", "18792"], { TALON_HOME: home, HOME: home });
    assert.match(second.out, /previous version kept as .*talon\.json\.bak/);
    await Deno.stat(`${home}/talon.json.bak`);
  });
});

Deno.test("token list shows when the gateway token was last used", async () => {
  await using gw = await startTestGateway({});
  const client = await gw.connect();
  await client.close();
  const r = await cli(["token", "list"], { TALON_HOME: gw.home, HOME: gw.home });
  assert.equal(r.code, EXIT.ok, r.err);
  const line = r.out.split("\n").find((l) => /gateway/i.test(l)) ?? r.out;
  assert.doesNotMatch(line, /last used never/, r.out);
});

Deno.test("a deno run without --unstable-worker-options is refused at start, naming the flag", async () => {
  const without = ["deno", "run", "-A", "/src/main.ts", "gateway"].join("\0") + "\0";
  assert.match(missingWorkerFlag("/usr/bin/deno", without)!, /--unstable-worker-options/);
  const withFlag = ["deno", "run", "-A", "--unstable-worker-options", "/src/main.ts", "gateway"].join("\0");
  assert.equal(missingWorkerFlag("/usr/bin/deno", withFlag), undefined);
  // A flag after the script is the script's own argument, not Deno's.
  const after = ["deno", "run", "-A", "/src/main.ts", "gateway", "--unstable-worker-options"].join("\0");
  assert.ok(missingWorkerFlag("/usr/bin/deno", after));
  assert.equal(
    missingWorkerFlag("/opt/talon/talon", without),
    undefined,
    "the compiled binary has it built in",
  );
  assert.equal(missingWorkerFlag("/usr/bin/deno", undefined), undefined, "no /proc: nothing is claimed");

  const home = await Deno.makeTempDir({ prefix: "talon-noflag-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "gateway", "--port", "0"],
      env: { TALON_HOME: home, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, EXIT.usage, err);
    assert.match(err, /started without --unstable-worker-options/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
