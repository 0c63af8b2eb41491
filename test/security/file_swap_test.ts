// Attack: the file tools check a path (symlinks resolved) and then open it; swapping the file for a
// symlink to a file outside the workspace between the two (another process, or the agent's own `exec`)
// made the tool read or write the outside file. A hard link inside the workspace to an outside file is a
// second way out. The swap is made deterministic here: a sandbox wrapper swaps right after the check,
// before the sandboxed operation opens the path.
import assert from "node:assert/strict";
import { createEditTool } from "../../src/tools/fs_edit.ts";
import { createReadTool } from "../../src/tools/fs_read.ts";
import { createWriteTool } from "../../src/tools/fs_write.ts";
import { createSandbox, type Sandbox } from "../../src/tools/sandbox/sandbox.ts";
import { toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

/** A sandbox that runs `beforeOp` after the tool's path check and before the operation opens the path. */
function swappingSandbox(beforeOp: () => Promise<void>): Sandbox {
  const real = createSandbox({ timeoutMs: 30_000 });
  return {
    run: real.run,
    bind(permissions, signal) {
      const inner = real.bind(permissions, signal);
      return {
        permissions: inner.permissions,
        async run<T>(op: string, args: unknown) {
          await beforeOp();
          return await inner.run<T>(op, args);
        },
      };
    },
  };
}

async function swapForSymlink(path: string, target: string) {
  await Deno.remove(path).catch(() => {});
  await Deno.symlink(target, path);
}

Deno.test("read, write and edit refuse a file swapped for an outside symlink after the check", async () => {
  await using env = await toolsEnv();
  const secret = `${env.outside}/secret.txt`;
  await Deno.writeTextFile(secret, "TOP-SECRET original");
  const notes = `${env.workspace}/notes.txt`;
  const reg = toolsRegistry([createReadTool(), createWriteTool(), createEditTool()], {
    sandbox: swappingSandbox(() => swapForSymlink(notes, secret)),
  });
  const calls: [string, Record<string, unknown>][] = [
    ["read", { path: "notes.txt" }],
    ["write", { path: "notes.txt", content: "pwned" }],
    ["write", { path: "notes.txt", content: " pwned", append: true }],
    ["edit", { path: "notes.txt", oldText: "original", newText: "pwned" }],
  ];
  for (const [tool, input] of calls) {
    await Deno.remove(notes).catch(() => {});
    await Deno.writeTextFile(notes, "harmless original"); // what the check sees
    const r = await reg.execute(tool, input, env.ctx());
    assert.equal(r.isError, true, `${tool}: ${r.content}`);
    assert.match(r.content, /^NotCapable: .*(outside|changed while in use)/, tool);
    assert.doesNotMatch(r.content, /TOP-SECRET/, tool);
    assert.equal(
      await Deno.readTextFile(secret),
      "TOP-SECRET original",
      `${tool} left the outside file alone`,
    );
  }
});

Deno.test("write of a new file refuses a symlink planted after the check (nothing created outside)", async () => {
  await using env = await toolsEnv();
  const planted = `${env.outside}/created.txt`;
  const reg = toolsRegistry([createWriteTool()], {
    sandbox: swappingSandbox(() => swapForSymlink(`${env.workspace}/new.txt`, planted)),
  });
  const r = await reg.execute("write", { path: "new.txt", content: "pwned" }, env.ctx());
  assert.equal(r.isError, true, r.content);
  await assert.rejects(Deno.stat(planted), Deno.errors.NotFound);
});

Deno.test("file tools refuse hard-linked files (their other names may be outside)", async () => {
  await using env = await toolsEnv();
  const secret = `${env.outside}/secret.txt`;
  await Deno.writeTextFile(secret, "TOP-SECRET original");
  await Deno.link(secret, `${env.workspace}/linked.txt`);
  const reg = toolsRegistry([createReadTool(), createWriteTool(), createEditTool()]);
  for (
    const [tool, input] of [
      ["read", { path: "linked.txt" }],
      ["write", { path: "linked.txt", content: "pwned" }],
      ["edit", { path: "linked.txt", oldText: "original", newText: "pwned" }],
    ] as const
  ) {
    const r = await reg.execute(tool, input, env.ctx());
    assert.equal(r.isError, true, `${tool}: ${r.content}`);
    assert.match(r.content, /hard links/, tool);
    assert.doesNotMatch(r.content, /TOP-SECRET/, tool);
  }
  assert.equal(await Deno.readTextFile(secret), "TOP-SECRET original");
  // An ordinary file still works.
  const ok = await reg.execute("write", { path: "plain.txt", content: "fine" }, env.ctx());
  assert.equal(ok.isError, undefined, ok.content);
  assert.equal((await reg.execute("read", { path: "plain.txt" }, env.ctx())).content, "fine");
});
