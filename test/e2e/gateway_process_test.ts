// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { spawnTalon } from "../helpers/process.ts";
import { connectGateway } from "../../src/gateway/client.ts";
import { tempHome } from "../helpers/temp.ts";

Deno.test("e2e: talon gateway starts, answers status over WS, and exits cleanly on SIGTERM", async () => {
  await using home = await tempHome();
  await using proc = spawnTalon(["gateway"], { TALON_HOME: home.dir, TALON_PORT: "0" });
  const [, url] = await proc.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const deadline = Date.now() + 10_000;
  while (true) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) {
      await res.body?.cancel();
      break;
    }
    await res?.body?.cancel();
    if (Date.now() > deadline) throw new Error("gateway never became ready");
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = (await Deno.readTextFile(`${home.dir}/credentials/gateway-token`)).trim();
  assert.match(proc.output(), /Generated a gateway token/);
  assert.equal((await Deno.stat(`${home.dir}/credentials/gateway-token`)).mode! & 0o777, 0o600);
  assert.equal((await Deno.stat(home.dir)).mode! & 0o077, 0);
  const client = await connectGateway({ url: url!.replace("http", "ws") + "/ws", token });
  const status = await client.request<Record<string, any>>("status");
  assert.equal(status.store.ready, true);
  proc.child.kill("SIGTERM");
  // The output is read by pumps that may lag the exit: wait for the line itself (with a deadline).
  await proc.waitForLine(/Gateway stopped/, 60_000);
  const code = (await proc.child.status).code;
  assert.equal(code, 0, proc.output());
  await client.close();
  const log = await Deno.readTextFile(`${home.dir}/logs/talon.log`);
  assert.ok(log.includes('"msg":"gateway stopping"'));
  assert.ok(!log.includes(token), "the token never appears in the log");
});

Deno.test("e2e: the gateway does not start on a broken config and exits 78 naming the problem", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(`${home.dir}/talon.json`, '{"gateway": {"port": "nope"}}');
  await using proc = spawnTalon(["gateway"], { TALON_HOME: home.dir });
  await proc.waitForLine(/did not start/, 60_000);
  const status = await proc.child.status;
  assert.equal(status.code, 78);
  assert.match(proc.output(), /Invalid config .*talon\.json:\s+gateway\.port: expected number/);
});

Deno.test("e2e: a non-loopback bind without an explicit token refuses to start", async () => {
  await using home = await tempHome();
  await using proc = spawnTalon(["gateway"], {
    TALON_HOME: home.dir,
    TALON_BIND: "0.0.0.0",
    TALON_PORT: "0",
  });
  await proc.waitForLine(/Refusing to bind 0\.0\.0\.0/, 60_000);
  const status = await proc.child.status;
  assert.equal(status.code, 78, "a configuration problem: systemd does not restart it in a loop");
});
