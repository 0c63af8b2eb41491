import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";
import { startTestGateway } from "../helpers/gateway.ts";

Deno.test("talon --help lists commands; unknown commands and options are usage errors (exit 2)", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir);
  const help = await cli(["--help"], env);
  assert.equal(help.code, 0);
  for (const name of ["gateway", "status", "health", "config", "version"]) {
    assert.match(help.out, new RegExp(`\\n  ${name}`));
  }
  const unknown = await cli(["frobnicate"], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
  const badOpt = await cli(["status", "--bogus"], env);
  assert.equal(badOpt.code, 2);
  assert.match(badOpt.err, /Unknown option '--bogus'/);
  const sub = await cli(["config", "--help"], env);
  assert.match(sub.out, /Usage: talon config/);
});

Deno.test("talon version prints the version", async () => {
  const r = await cli(["version"], {});
  assert.equal(r.code, 0);
  assert.match(r.out, /^talon \d+\.\d+\.\d+ \(deno /);
});

Deno.test("talon config set/get/unset edits the file atomically and validates first", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir, { SECRET_TOKEN: "x".repeat(32) });
  assert.equal((await cli(["config", "set", "gateway.port", "18800"], env)).code, 0);
  assert.equal((await cli(["config", "get", "gateway.port"], env)).out.trim(), "18800");
  const bad = await cli(["config", "set", "gateway.port", '"high"'], env);
  assert.equal(bad.code, 78);
  assert.match(bad.err, /gateway\.port: expected number/);
  assert.equal(JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`)).gateway.port, 18800);
  assert.equal((await cli(["config", "set", "gateway.auth.token", "${SECRET_TOKEN}"], env)).code, 0);
  assert.equal(
    JSON.parse(await Deno.readTextFile(`${home.dir}/talon.json`)).gateway.auth.token,
    "${SECRET_TOKEN}",
  );
  assert.equal((await cli(["config", "get", "gateway.auth.token"], env)).out.trim(), "[redacted]");
  assert.ok(!(await cli(["config", "get"], env)).out.includes("x".repeat(32)));
  assert.equal((await cli(["config", "unset", "gateway.port"], env)).code, 0);
  assert.equal((await cli(["config", "get", "gateway.port"], env)).out.trim(), "18790");
  assert.ok(await Deno.stat(`${home.dir}/talon.json.bak`));
});

Deno.test("talon config validate exits 78 on a broken file; schema prints JSON Schema", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir);
  assert.match((await cli(["config", "validate"], env)).out, /defaults are valid/);
  await Deno.writeTextFile(`${home.dir}/talon.json`, '{"logging": {"level": "loud"}}');
  const r = await cli(["config", "validate"], env);
  assert.equal(r.code, 78);
  assert.match(r.err, /logging\.level/);
  const schema = await cli(["config", "schema"], env);
  assert.equal(JSON.parse(schema.out).type, "object");
});

Deno.test("talon status/health talk to a running gateway; unreachable gives exit 69", async () => {
  await using gw = await startTestGateway();
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });
  const status = await cli(["status"], env);
  assert.equal(status.code, 0, status.err);
  assert.match(status.out, /gateway\s+127\.0\.0\.1:\d+/);
  const health = await cli(["health", "--json"], env);
  assert.equal(JSON.parse(health.out).ok, true);
  const wrong = await cli(["status"], { ...env, TALON_TOKEN: "not-the-right-token-at-all" });
  assert.equal(wrong.code, 77, "a refused token is not 'unreachable'");
  assert.match(wrong.err, /refused the token from TALON_TOKEN \(.*token mismatch/);
  await using empty = await tempHome();
  const down = await cli(["health", "--url", "ws://127.0.0.1:1/ws", "--timeout", "2000"], testEnv(empty.dir));
  assert.equal(down.code, 69);
  assert.match(down.err, /cannot reach the gateway/);
});
