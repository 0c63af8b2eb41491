import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";
import { stdioServer } from "./mcp_fixture.ts";

async function home(servers?: Record<string, unknown>) {
  const dir = await Deno.makeTempDir({ prefix: "talon-mcp-cli-" });
  if (servers) await Deno.writeTextFile(`${dir}/talon.json`, JSON.stringify({ mcp: { servers } }));
  const env = { TALON_HOME: dir, HOME: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  return { env, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("talon mcp list|tools|call against a real stdio server; bad input is a usage error", async () => {
  await using h = await home({ fx: stdioServer() });
  const list = await cli(["mcp", "list"], h.env);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /fx +stdio +ready +\d+ tools/);
  const tools = await cli(["mcp", "tools", "fx"], h.env);
  assert.match(tools.out, /mcp__fx__echo {2}Echoes text back\./);
  assert.match(tools.out, /note: liar: refused/);
  const call = await cli(["mcp", "call", "fx", "echo", '{"text":"cli"}'], h.env);
  assert.equal(call.code, 0, call.err);
  assert.equal(call.out.trim(), "echo: cli");
  const badJson = await cli(["mcp", "call", "fx", "echo", "{nope"], h.env);
  assert.equal(badJson.code, 2);
  assert.match(badJson.err, /must be a JSON object/);
  const unknown = await cli(["mcp", "tools", "ghost"], h.env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown server ghost; configured: fx/);
});

Deno.test("talon mcp with no servers says how to configure them", async () => {
  await using h = await home();
  const r = await cli(["mcp", "list"], h.env);
  assert.equal(r.code, 2);
  assert.match(r.err, /no MCP servers are configured \(mcp.servers/);
});

Deno.test("config: an MCP server needs a command or a url, and ids are restricted", async () => {
  await using h = await home({ "Bad_Id": { command: "x" } });
  const r = await cli(["mcp", "list"], h.env);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /server ids: a-z, 0-9 and -/);
});

Deno.test("talon doctor shows each MCP server: program found, address guard, and --online start", async () => {
  await using h = await home({
    fx: stdioServer(),
    gone: { command: "no-such-mcp-server-xyz" },
    web: { url: "http://127.0.0.1:9/mcp" },
  });
  const r = await cli(["doctor", "--online", "--json"], h.env);
  const results = JSON.parse(r.out).checks as { id: string; status: string; what: string }[];
  const by = (id: string) => results.find((x) => x.id === id);
  assert.equal(by("mcp.fx")?.status, "ok");
  assert.equal(by("mcp.gone")?.status, "fail");
  assert.match(by("mcp.gone")!.what, /not on PATH/);
  assert.equal(by("mcp.web")?.status, "fail");
  assert.match(by("mcp.web")!.what, /loopback/);
  assert.match(by("mcp.fx.online")?.what ?? "", /started: \d+ tools/);
});
