import assert from "node:assert/strict";
import { changedFilesRead, createAgentWrites, knownReads } from "../../src/tools/agent_writes.ts";
import { createWriteTool } from "../../src/tools/fs_write.ts";
import { createEditTool } from "../../src/tools/fs_edit.ts";
import { toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

const WS = "/w";
const call = (program: string, args: string[] = [], cwd = WS) => ({
  program,
  requested: program.slice(program.lastIndexOf("/") + 1),
  args,
  cwd,
  workspace: WS,
});

Deno.test("knownReads covers the files the issue names", () => {
  assert.ok(knownReads("/usr/bin/git").includes(".git/config"));
  assert.ok(knownReads("/usr/bin/git").includes(".git/hooks/*"));
  assert.ok(knownReads("/usr/bin/npm").includes("package.json"));
  assert.ok(knownReads("/usr/bin/npm").includes(".npmrc"));
  assert.ok(knownReads("/usr/bin/make").includes("Makefile"));
  assert.ok(knownReads("/usr/bin/python3.11").includes("pyproject.toml"));
  assert.ok(knownReads("/usr/bin/pytest").includes("conftest.py"));
  assert.deepEqual(knownReads("/usr/bin/cat"), []);
});

Deno.test("changedFilesRead: project files by program, hooks in nested repos, operands and the program itself", () => {
  const written = [
    "/w/.git/config",
    "/w/sub/.git/hooks/pre-commit",
    "/w/package.json",
    "/w/notes.md",
    "/w/script.py",
    "/w/tool.sh",
    "/elsewhere/.git/config",
  ];
  assert.deepEqual(changedFilesRead(written, call("/usr/bin/git", ["status"])), [
    ".git/config",
    "sub/.git/hooks/pre-commit",
  ]);
  assert.deepEqual(changedFilesRead(written, call("/usr/bin/npm", ["test"])), ["package.json"]);
  assert.deepEqual(changedFilesRead(written, call("/usr/bin/python3.11", ["script.py"])), ["script.py"]);
  assert.deepEqual(changedFilesRead(written, call("/usr/bin/cat", ["--file=notes.md"])), ["notes.md"]);
  assert.deepEqual(changedFilesRead(written, call("/w/tool.sh")), ["tool.sh"]);
  assert.deepEqual(changedFilesRead(written, call("/usr/bin/ls")), []);
  assert.deepEqual(changedFilesRead([], call("/usr/bin/git")), []);
});

Deno.test("write and edit record what they wrote per session", async () => {
  await using env = await toolsEnv();
  const writes = createAgentWrites();
  const reg = toolsRegistry([createWriteTool({ writes }), createEditTool({ writes })]);
  await reg.execute("write", { path: ".git/config", content: "[core]\n" }, env.ctx());
  await reg.execute(
    "edit",
    { path: ".git/config", oldText: "[core]", newText: "[core]\n\tx = 1" },
    env.ctx(),
  );
  await reg.execute(
    "write",
    { path: "other.txt", content: "x" },
    env.ctx({ sessionKey: "agent:main:other" }),
  );
  assert.deepEqual(writes.written("agent:main:main"), [`${env.workspace}/.git/config`]);
  assert.deepEqual(writes.written("agent:main:other"), [`${env.workspace}/other.txt`]);
  assert.deepEqual(writes.written("agent:main:none"), []);
});
