import assert from "node:assert/strict";
import { toolsEnv } from "../fakes/tools_env.ts";

Deno.test("the process's own --allow-* flags are the outer bound of every tool call", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.workspace}/a.txt`, "inside");
  const child = new URL("../fakes/tools_outer_child.ts", import.meta.url).pathname;
  // Creating a worker needs read access to its module (src/tools/sandbox/) when running from source.
  const sandboxDir = new URL("../../src/tools/sandbox", import.meta.url).pathname;
  // Policy allows echo and env; the process itself may only run echo. Reading /usr lets exec resolve
  // program names to the real files it binds approvals to.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--unstable-worker-options",
      `--allow-read=${env.workspace},${sandboxDir},/usr`,
      "--allow-run=echo",
      child,
      env.workspace,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const [echo, envCall, read] = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    content: string;
    isError?: boolean;
  }[];
  assert.equal(echo?.content, "Exit code 0.\nstdout:\nallowed\n");
  assert.equal(envCall?.isError, true);
  assert.match(
    envCall!.content,
    /^NotCapable: run .*env.* is outside this tool call's permissions \(run: none\)/,
  );
  assert.equal(read?.content, "inside");
});
