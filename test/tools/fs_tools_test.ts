import assert from "node:assert/strict";
import { createReadTool } from "../../src/tools/fs_read.ts";
import { createWriteTool } from "../../src/tools/fs_write.ts";
import { createEditTool } from "../../src/tools/fs_edit.ts";
import { createListTool } from "../../src/tools/fs_list.ts";
import { toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

const tools = () => [createReadTool(), createWriteTool(), createEditTool(), createListTool()];

Deno.test("write, read, edit and list work inside the workspace", async () => {
  await using env = await toolsEnv();
  const reg = toolsRegistry(tools());
  const ctx = env.ctx();
  const w = await reg.execute("write", { path: "notes/todo.md", content: "one\ntwo\nthree\n" }, ctx);
  assert.equal(w.isError, undefined, w.content);
  assert.equal(await Deno.readTextFile(`${env.workspace}/notes/todo.md`), "one\ntwo\nthree\n");
  const r = await reg.execute("read", { path: "notes/todo.md", offset: 2, limit: 1 }, ctx);
  assert.equal(r.content, "two");
  const e = await reg.execute("edit", { path: "notes/todo.md", oldText: "two", newText: "2" }, ctx);
  assert.match(e.content, /line 2/);
  assert.equal(await Deno.readTextFile(`${env.workspace}/notes/todo.md`), "one\n2\nthree\n");
  const l = await reg.execute("list", { path: ".", recursive: true }, ctx);
  assert.equal(l.content, "notes/\nnotes/todo.md (12 bytes)");
});

Deno.test("edit refuses text that is missing or occurs more than once", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.workspace}/f.txt`, "a a b");
  const reg = toolsRegistry(tools());
  const twice = await reg.execute("edit", { path: "f.txt", oldText: "a", newText: "c" }, env.ctx());
  assert.equal(twice.isError, true);
  assert.match(twice.content, /more than once/);
  const missing = await reg.execute("edit", { path: "f.txt", oldText: "zzz", newText: "c" }, env.ctx());
  assert.match(missing.content, /not found/);
  assert.equal(await Deno.readTextFile(`${env.workspace}/f.txt`), "a a b");
});

Deno.test("file tools refuse paths outside the workspace as tool errors", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.outside}/secret.txt`, "s");
  await Deno.symlink(env.outside, `${env.workspace}/link`);
  const reg = toolsRegistry(tools());
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["read", { path: "/etc/passwd" }, /^NotCapable: read \/etc\/passwd is outside the workspace/],
    ["read", { path: "../outside/secret.txt" }, /^NotCapable: .*"\.\."/],
    ["write", { path: "link/evil.txt", content: "x" }, /^NotCapable: write .*symlink/],
    ["list", { path: "link" }, /^NotCapable/],
    ["read", { path: "missing.txt" }, /^NotFound/],
    ["read", { nope: 1 }, /^InvalidInput/],
  ];
  for (const [tool, args, pattern] of cases) {
    const r = await reg.execute(tool, args, env.ctx());
    assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
    assert.match(r.content, pattern);
  }
  await assert.rejects(Deno.stat(`${env.outside}/evil.txt`), Deno.errors.NotFound);
});
