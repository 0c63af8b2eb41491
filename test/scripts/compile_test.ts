import assert from "node:assert/strict";
import { compileArgs, findWorkerEntries } from "../../scripts/compile.ts";

Deno.test("deno task compile embeds the UI and the worker modules with the gateway's permissions", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const workers = findWorkerEntries(`${root}src`).map((p) => p.slice(root.length));
  const args = compileArgs({ output: "dist/talon", workers });
  assert.equal(args[0], "compile");
  assert.ok(args.includes("--unstable-worker-options"));
  assert.deepEqual(args.slice(args.indexOf("--include"), args.indexOf("--include") + 2), [
    "--include",
    "web",
  ]);
  for (const flag of ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi"]) {
    assert.ok(args.includes(flag), flag);
  }
  assert.deepEqual(args.slice(-3), ["--output", "dist/talon", "main.ts"]);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--include") {
      await Deno.stat(new URL(`../../${args[i + 1]}`, import.meta.url)).catch(() => {
        throw new Error(`--include ${args[i + 1]} does not exist`);
      });
    }
  }
  const tasks = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))).tasks;
  assert.match(tasks.compile, /scripts\/compile\.ts/);
});
