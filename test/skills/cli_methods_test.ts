// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { cli } from "../helpers/cli.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { tarGz } from "./archive_fixtures.ts";

async function home() {
  const dir = await Deno.makeTempDir({ prefix: "talon-skills-cli-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("talon skills install, list, info and check", async () => {
  await using h = await home();
  const env = { TALON_HOME: h.dir, HOME: h.dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  await Deno.writeFile(
    `${h.dir}/w.tar.gz`,
    await tarGz([{ path: "w/SKILL.md", text: "---\nname: weather\ndescription: Forecasts\n---\nbody\n" }]),
  );
  const inst = await cli(["skills", "install", `${h.dir}/w.tar.gz`], env);
  assert.equal(inst.code, 0, inst.err);
  assert.match(inst.out, /Installed skill weather in .*skills\/weather/);
  await Deno.mkdir(`${h.dir}/skills/needs`, { recursive: true });
  await Deno.writeTextFile(
    `${h.dir}/skills/needs/SKILL.md`,
    '---\nname: needs\ndescription: d\nmetadata: {"openclaw":{"requires":{"bins":["nope-xyz"]}}}\n---\n',
  );
  const list = await cli(["skills", "list"], env);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /ok +weather +user +Forecasts +\(\/weather\)/);
  assert.match(list.out, /OFF +needs .*missing program: nope-xyz/);
  const json = JSON.parse((await cli(["skills", "list", "--json"], env)).out);
  assert.deepEqual(json.skills.map((s: any) => [s.name, s.available, s.inPrompt]), [["needs", false, false], [
    "weather",
    true,
    true,
  ]]);
  const info = await cli(["skills", "info", "weather"], env);
  assert.match(info.out, /Slash command: \/weather/);
  assert.equal((await cli(["skills", "info", "nope"], env)).code, 2);
  const check = await cli(["skills", "check"], env);
  assert.equal(check.code, 1);
  assert.match(check.out, /needs: missing program: nope-xyz/);
  const again = await cli(["skills", "install", `${h.dir}/w.tar.gz`], env);
  assert.equal(again.code, 2);
  assert.match(again.err, /already installed.*--force/);
});

Deno.test("gateway skills.list / skills.info (read scope); unknown names and agents are NOT_FOUND", async () => {
  await using gw = await startTestGateway({});
  await Deno.mkdir(`${gw.home}/skills/weather`, { recursive: true });
  await Deno.writeTextFile(`${gw.home}/skills/weather/SKILL.md`, "---\nname: weather\ndescription: F\n---\n");
  const token = crypto.randomUUID() + crypto.randomUUID();
  await gw.store.credentials.put({ name: "reader", kind: "operator", scopes: ["read"], token });
  const client = await gw.connect({ token });
  try {
    const list = await client.request<any>("skills.list", {});
    assert.deepEqual(list.skills.map((s: any) => s.name), ["weather"]);
    assert.equal((await client.request<any>("skills.info", { name: "weather" })).available, true);
    await assert.rejects(client.request("skills.info", { name: "nope" }), /No skill named nope/);
    await assert.rejects(client.request("skills.list", { agentId: "ghost" }), /Unknown agent "ghost"/);
  } finally {
    await client.close();
  }
});
