/**
 * The README's "restrict tools with Deno permission flags" command, run exactly as written (from the source
 * tree, with $HOME and DENO_DIR expanded by the shell): the gateway starts and answers an agent turn that
 * calls a tool in the sandbox.
 */
import assert from "node:assert/strict";
import { freePort } from "../helpers/ports.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TOKEN = "readme-flags-token-0123456789abcdef";

/** The shell command of the README's "From source" example (comment lines dropped, continuations joined). */
async function readmeCommand(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const from = readme.indexOf("**From source**, the flags the `deno run` process itself holds");
  assert.ok(from > 0, "the README has the from-source permission example");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
  assert.ok(block, "the example is a sh code block");
  return block.split("\n").filter((l) => !l.trim().startsWith("#")).join("\n").replace(/\\\n\s*/g, " ")
    .trim();
}

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test("README: the from-source permission flags start the gateway and run a turn with a tool call", async () => {
  const command = await readmeCommand();
  assert.match(command, /^deno run .*main\.ts gateway$/);
  const home = await Deno.makeTempDir({ prefix: "talon-readme-" });
  const port = await freePort();
  const bin = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
  const child = new Deno.Command("sh", {
    // exec: the signal at the end reaches deno itself, not only the shell.
    args: ["-c", `exec ${command}`],
    cwd: ROOT,
    env: {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      HOME: home,
      DENO_DIR: await denoDir(),
      TALON_PORT: String(port),
      TALON_TOKEN: TOKEN,
      TALON_MODEL: "echo/echo",
      NO_COLOR: "1",
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const listening = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      if (/listening on/.test(output)) listening.resolve();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then((s) => {
    listening.reject(new Error(`the gateway exited (${s.code}):\n${output}`));
    return s;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      listening.promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not listening within 120 s:\n${output}`)), 120_000);
      }),
    ]);
    clearTimeout(timer);
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "talon/main",
        messages: [{ role: "user", content: '/tool list {"path":"."}' }],
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    const content = body.choices[0].message.content as string;
    assert.match(content, /AGENTS\.md/, `the list tool ran in the sandbox and saw the workspace: ${content}`);
    assert.doesNotMatch(content, /NotCapable|PermissionDenied|Requires .* access/);
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await exited;
    await pumps;
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
