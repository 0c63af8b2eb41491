/**
 * Attacks on the execution boundary through the real gateway: a program a person approved is still an
 * OS process, and it must not reach the gateway's environment, Talon's state, or the network.
 */
import assert from "node:assert/strict";
import { attackGateway } from "./attack_gateway.ts";

/** One NAME=value line of the gateway process's real environment (what /proc/<pid>/environ holds). */
function gatewayEnvLine(): string {
  const lines = Deno.readTextFileSync(`/proc/${Deno.pid}/environ`).split("\0").filter((l) => l.includes("="));
  const line = lines.find((l) => l.startsWith("PATH=")) ?? lines[0];
  assert.ok(line, "the test process has an environment");
  return line;
}

Deno.test("an approved reader cannot read /proc/<gateway pid>/environ", async () => {
  await using a = await attackGateway();
  const secret = gatewayEnvLine();
  const r = await a.call("exec", { argv: ["cat", `/proc/${Deno.pid}/environ`] });
  assert.ok(!r.text.includes(secret), "the gateway's environment leaked into the reply");
  assert.match(r.text, /No such file or directory/);
  assert.equal(r.request?.confined, true, "the request says the program runs confined");
  // The program's own /proc holds only the sandbox's processes.
  const ps = await a.call("exec", { argv: ["ls", "/proc"] });
  const pids = ps.text.split("\n").filter((l) => /^\d+$/.test(l)).map(Number);
  assert.ok(pids.length > 0 && pids.every((p) => p < 10), `only sandbox pids in /proc: ${pids.join(",")}`);
});

Deno.test("$HOME/.talon (Talon's state: config, store, env file) is not visible to an approved program", async () => {
  await using a = await attackGateway();
  // The test gateway's HOME is its TALON_HOME: talon.json and talon.db live right there.
  const config = await Deno.readTextFile(`${a.gw.home}/talon.json`);
  assert.ok(config.length > 0);
  const cat = await a.call("exec", { argv: ["cat", `${a.gw.home}/talon.json`] });
  assert.ok(!cat.text.includes('"gateway"'), "talon.json was readable");
  assert.match(cat.text, /No such file or directory/);
  const ls = await a.call("exec", { argv: ["ls", "-a", a.gw.home] });
  assert.doesNotMatch(ls.text, /talon\.json|talon\.db/, "the state directory was listed");
  // The workspace itself is there and writable.
  const touch = await a.call("exec", { argv: ["touch", "made-inside"] });
  assert.match(touch.text, /Exit code 0/);
  await Deno.stat(`${a.workspace}/made-inside`);
});

Deno.test("exec has no network unless the call asked for it and a person granted it", async () => {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return new Response("reached");
  });
  try {
    const port = server.addr.port;
    await using a = await attackGateway();
    const script = `import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:${port}/x').read())`;
    const blocked = await a.call("exec", { argv: ["python3", "-c", script] });
    assert.deepEqual(hits, [], "the loopback server was reached without a network grant");
    assert.doesNotMatch(blocked.text, /reached/);
    assert.match(blocked.text, /Connection refused|Errno/);
    assert.equal(blocked.request?.network, false);
    const granted = await a.call("exec", { argv: ["python3", "-c", script], network: true });
    assert.equal(granted.request?.network, true);
    assert.match(granted.request?.summary, /network: yes/);
    assert.match(granted.text, /reached/, "with the grant the program has the network");
    assert.deepEqual(hits, ["/x"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test('with tools.exec.confine "off" the approval request says the program runs unconfined', async () => {
  await using a = await attackGateway({ tools: { exec: { confine: "off" } } });
  const r = await a.call("exec", { argv: ["true"] }, ["deny"]);
  assert.equal(r.request?.confined, false);
  assert.match(r.request?.summary, /UNCONFINED: the program runs with the gateway user's full access/);
});
