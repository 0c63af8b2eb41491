import assert from "node:assert/strict";
import { resolveProgram } from "../../src/security/program_path.ts";
import { programAllowed, programMatches } from "../../src/tools/approval_patterns.ts";

Deno.test("resolveProgram: PATH lookup to the real file; relative PATH entries and missing files are skipped", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "talon-path-" }));
  try {
    await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/tool`, 0o755);
    await Deno.writeTextFile(`${dir}/notexec`, "data");
    await Deno.symlink(`${dir}/tool`, `${dir}/alias`);
    assert.equal(resolveProgram("tool", { path: `/nonexistent:${dir}`, cwd: "/" }), `${dir}/tool`);
    assert.equal(resolveProgram("alias", { path: dir, cwd: "/" }), `${dir}/tool`, "symlinks resolved");
    assert.equal(resolveProgram("notexec", { path: dir, cwd: "/" }), undefined);
    assert.equal(resolveProgram("tool", { path: ".:bin:", cwd: dir }), undefined, "relative PATH entries");
    assert.equal(resolveProgram("./tool", { path: "", cwd: dir }), `${dir}/tool`);
    assert.equal(resolveProgram("", { cwd: dir }), undefined);
    assert.equal(resolveProgram("a\0b", { cwd: dir }), undefined);
    assert.equal(resolveProgram("ls", { cwd: "/" }), Deno.realPathSync("/usr/bin/ls"), "default PATH");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("programMatches: a bare name is the program on PATH, never a same-named file or one in the workspace", async () => {
  const ws = await Deno.realPath(await Deno.makeTempDir({ prefix: "talon-ws-" }));
  try {
    await Deno.writeTextFile(`${ws}/ls`, "#!/bin/sh\n");
    await Deno.chmod(`${ws}/ls`, 0o755);
    const ls = Deno.realPathSync("/usr/bin/ls");
    assert.equal(programMatches("ls", ls, { path: "/usr/bin" }), true);
    assert.equal(programMatches("ls", `${ws}/ls`, { path: "/usr/bin" }), false, "same basename elsewhere");
    // Even with the workspace first on PATH, a workspace program never matches a bare name.
    assert.equal(programMatches("ls", `${ws}/ls`, { path: `${ws}:/usr/bin`, workspace: ws }), false);
    assert.equal(programMatches(`${ws}/ls`, `${ws}/ls`, { workspace: ws }), true, "an explicit path does");
    assert.equal(programMatches("ls", "ls", { path: "/usr/bin" }), false, "a program must be resolved");
    assert.equal(programMatches("bin/ls", ls, { path: "/usr/bin" }), false, "relative entries match nothing");
    assert.equal(programAllowed(["git", "/usr/bin/ls"], ls, {}), true);
    assert.equal(programAllowed(["git"], ls, {}), false);
  } finally {
    await Deno.remove(ws, { recursive: true });
  }
});
