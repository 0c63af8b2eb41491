import assert from "node:assert/strict";
import { normalize, resolveWorkspacePath } from "../../src/tools/paths.ts";
import { ToolError } from "../../src/tools/errors.ts";
import { toolsEnv } from "../fakes/tools_env.ts";

async function refused(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof ToolError);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("resolveWorkspacePath accepts relative and absolute paths inside the workspace", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.workspace}/a.txt`, "x");
  const r = await resolveWorkspacePath(env.workspace, "a.txt", "read");
  assert.equal(r.path, `${env.workspace}/a.txt`);
  assert.equal(r.exists, true);
  const abs = await resolveWorkspacePath(env.workspace, `${env.workspace}/./sub//b.txt`, "write");
  assert.equal(abs.path, `${env.workspace}/sub/b.txt`);
  assert.equal(abs.relative, "sub/b.txt");
  assert.equal(abs.exists, false);
});

Deno.test("resolveWorkspacePath refuses .., outside absolute paths, symlink escapes and bad input", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.outside}/secret.txt`, "s");
  await Deno.symlink(env.outside, `${env.workspace}/escape`);
  await Deno.symlink(`${env.outside}/new.txt`, `${env.workspace}/dangling`);
  await Deno.symlink("../outside/x.txt", `${env.workspace}/relative_dangling`);
  await refused(resolveWorkspacePath(env.workspace, "../outside/secret.txt", "read"), /NotCapable: .*"\.\."/);
  await refused(resolveWorkspacePath(env.workspace, "sub/../../x", "read"), /NotCapable/);
  await refused(
    resolveWorkspacePath(env.workspace, "/etc/passwd", "read"),
    /NotCapable: read \/etc\/passwd is outside the workspace/,
  );
  await refused(
    resolveWorkspacePath(env.workspace, "escape/secret.txt", "read"),
    /symlink .*outside the workspace/,
  );
  await refused(resolveWorkspacePath(env.workspace, "escape/newfile", "write"), /outside the workspace/);
  await refused(resolveWorkspacePath(env.workspace, "dangling", "write"), /outside the workspace/);
  await refused(resolveWorkspacePath(env.workspace, "relative_dangling", "write"), /outside the workspace/);
  await refused(resolveWorkspacePath(env.workspace, "", "read"), /InvalidInput/);
  await refused(resolveWorkspacePath(env.workspace, "a\0b", "read"), /NUL/);
});

Deno.test("normalize collapses ., .. and repeated slashes", () => {
  assert.equal(normalize("/a//b/./c/../d"), "/a/b/d");
  assert.equal(normalize("/../.."), "/");
});
