// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { getPath, setPath, writeConfigFile } from "../../src/config/write.ts";
import { configJsonSchema } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { tempHome } from "../helpers/temp.ts";

Deno.test("config writes are atomic, 0600, and keep the previous version as .bak", async () => {
  await using home = await tempHome();
  const file = `${home.dir}/talon.json`;
  await writeConfigFile(file, { gateway: { port: 1 } }, {});
  await writeConfigFile(file, { gateway: { port: 2 } }, {});
  assert.equal(JSON.parse(await Deno.readTextFile(file)).gateway.port, 2);
  assert.equal(JSON.parse(await Deno.readTextFile(`${file}.bak`)).gateway.port, 1);
  assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
  const leftovers = [...Deno.readDirSync(home.dir)].filter((e) => e.name.includes(".tmp-"));
  assert.deepEqual(leftovers, []);
});

Deno.test("an invalid config is never written; the file on disk stays as it was", async () => {
  await using home = await tempHome();
  const file = `${home.dir}/talon.json`;
  await writeConfigFile(file, { gateway: { port: 1 } }, {});
  await assert.rejects(writeConfigFile(file, { gateway: { port: "x" } }, {}), ConfigError);
  assert.equal(JSON.parse(await Deno.readTextFile(file)).gateway.port, 1);
});

Deno.test("setPath/getPath edit dotted paths and refuse prototype keys", () => {
  const next = setPath({ a: { b: 1 } }, "a.c.d", true);
  assert.deepEqual(next, { a: { b: 1, c: { d: true } } });
  assert.equal(getPath(next, "a.c.d"), true);
  assert.deepEqual(setPath(next, "a.b", undefined), { a: { c: { d: true } } });
  assert.throws(() => setPath({}, "__proto__.polluted", 1), TypeError);
  assert.throws(() => setPath({}, "", 1), TypeError);
});

Deno.test("the exported JSON Schema describes every section for editors", () => {
  const schema = configJsonSchema() as any;
  for (const key of ["gateway", "logging", "store", "providers", "agents", "channels", "tools"]) {
    assert.ok(schema.properties[key], key);
  }
  assert.equal(schema.properties.gateway.properties.port.default, 18790);
  assert.equal(schema.additionalProperties, false);
});
