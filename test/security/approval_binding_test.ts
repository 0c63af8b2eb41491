/**
 * Attacks on what an approval means, through the real gateway: an approval (or a pattern, or an
 * allow-listed name) must bind the whole effect — the real program, its options, its stdin, and the
 * configuration the agent planted for it.
 */
import assert from "node:assert/strict";
import { attackGateway } from "./attack_gateway.ts";

async function outsideDir(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "talon-outside-" }));
}

async function git(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args: ["-C", dir, ...args], stdout: "null", stderr: "piped" })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("git status after the agent wrote core.fsmonitor into .git/config: the request flags it; the hook runs confined", async () => {
  await using a = await attackGateway();
  const outside = await outsideDir();
  try {
    await git(a.workspace, "init", "-q");
    const hook = `cat /proc/${Deno.pid}/environ > leaked-env; touch ${outside}/pwned; false`;
    const wrote = await a.call("write", {
      path: ".git/config",
      content: `[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = "${hook}"\n`,
    });
    assert.match(wrote.text, /Wrote \d+ bytes to \.git\/config/);
    const r = await a.call("exec", { argv: ["git", "status"] });
    assert.equal(await exists(`${outside}/pwned`), false, "the planted hook wrote outside the workspace");
    const leaked = await Deno.readTextFile(`${a.workspace}/leaked-env`).catch(() => "");
    assert.equal(leaked, "", "the planted hook read the gateway's environment");
    assert.ok(r.request, "git status asked for approval");
    assert.deepEqual(r.request.changedByAgent, [".git/config"]);
    assert.match(r.request.summary, /reads \.git\/config — changed by the agent/);
    assert.equal(r.request.confined, true);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("the pattern `git log *` does not match `git log --output=/abs/outside`", async () => {
  await using a = await attackGateway({ tools: { exec: { ask: "off", approvals: ["git log *"] } } });
  const outside = await outsideDir();
  try {
    await git(a.workspace, "init", "-q");
    await git(
      a.workspace,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "one",
    );
    const target = `${outside}/truncated`;
    await Deno.writeTextFile(target, "precious");
    const r = await a.call("exec", { argv: ["git", "log", `--output=${target}`] });
    assert.equal(
      await Deno.readTextFile(target),
      "precious",
      "the file outside the workspace was overwritten",
    );
    assert.match(r.text, /Denied: git is not in tools\.exec\.allowPrograms/);
    // An operand is still matched.
    const ok = await a.call("exec", { argv: ["git", "log", "HEAD"] });
    assert.match(ok.text, /Exit code 0.*\n.*commit [0-9a-f]+/s);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("/tmp/x/ls is not `ls`: allowPrograms names mean the program on the gateway's PATH", async () => {
  await using a = await attackGateway({ tools: { exec: { ask: "off", allowPrograms: ["ls"] } } });
  const outside = await outsideDir();
  try {
    const fake = `${outside}/ls`;
    await Deno.writeTextFile(fake, `#!/bin/sh\ntouch ${outside}/pwned\n`);
    await Deno.chmod(fake, 0o755);
    const r = await a.call("exec", { argv: [fake] });
    assert.equal(await exists(`${outside}/pwned`), false, "a file named ls ran as if it were ls");
    assert.match(r.text, /Denied: .*ls is not in tools\.exec\.allowPrograms/);
    // The agent's own `ls` in the workspace is not `ls` either.
    await a.call("write", { path: "bin/ls", content: "#!/bin/sh\necho planted\n" });
    await Deno.chmod(`${a.workspace}/bin/ls`, 0o755);
    const planted = await a.call("exec", { argv: ["./bin/ls"] });
    assert.match(planted.text, /Denied/);
    const real = await a.call("exec", { argv: ["ls", "-a"] });
    assert.match(real.text, /Exit code 0/);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("python3 with stdin: the request shows the stdin, allow-always is refused, the approval covers that stdin", async () => {
  await using a = await attackGateway();
  const stdin = "print('approved script')\n";
  const r = await a.call("exec", { argv: ["python3"], stdin }, ["allow-always", "allow-once"]);
  assert.match(r.text, /approved script/);
  // Whatever the approver tried, nothing may now run python3 with other input without asking.
  const other = await a.call("exec", { argv: ["python3"], stdin: "print('other')\n" }, ["deny"]);
  assert.ok(other.request, "python3 ran different stdin without a new approval");
  assert.doesNotMatch(other.text, /other/);
  assert.match(other.text, /denied/i);
  assert.ok(r.request);
  assert.match(r.resolveError ?? "", /allow-always is refused for a call with stdin/);
  assert.equal(r.request.allowAlways, false);
  assert.equal(r.request.stdin.bytes, stdin.length);
  assert.match(r.request.stdin.sha256, /^[0-9a-f]{64}$/);
  assert.equal(r.request.stdin.preview, "print('approved script')\\n");
  assert.match(r.request.summary, /stdin: 25 bytes, sha256 [0-9a-f]{16}…: print\('approved script'\)\\n/);
  assert.notEqual(other.request.stdin.sha256, r.request.stdin.sha256, "the hash covers the stdin");
  assert.match(r.request.argv[0], /^\/usr\/bin\/python3/, "argv[0] is the real path");
});
