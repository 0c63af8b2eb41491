// The sandbox's process mode as a compiled binary runs it: `talon __sandbox`, a child that holds the
// binary's broad (baked-in) permissions and must narrow each operation itself.
import assert from "node:assert/strict";
import { bytesReplacer, bytesReviver, sandboxChildArgs } from "../../src/tools/sandbox/process_mode.ts";
import type { WorkerReply } from "../../src/tools/sandbox/worker_mode.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("process mode: from source a narrow deno run; in a binary the hidden subcommand narrowing in-child", () => {
  const p = { read: ["/ws"], run: ["git"] };
  const src = sandboxChildArgs(p, { standalone: false, entry: "file:///x/process_entry.ts" });
  assert.equal(src.narrowInChild, false);
  assert.deepEqual(src.args.slice(0, 1), ["run"]);
  assert.ok(src.args.includes("--allow-read=/ws") && src.args.includes("--allow-run=git"));
  assert.ok(!src.args.some((a) => a === "-A" || a === "--allow-all"));
  const bin = sandboxChildArgs(p, { standalone: true, entry: "file:///x/process_entry.ts" });
  assert.deepEqual(bin, { args: ["__sandbox"], narrowInChild: true });
});

/** Runs `main.ts __sandbox` with all permissions, as a binary's child has them. */
async function binaryChild(request: unknown): Promise<WorkerReply> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", "--quiet", MAIN, "__sandbox"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(request, bytesReplacer)));
  await w.close();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(text, `no reply; stderr: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").pop()!, bytesReviver) as WorkerReply;
}

Deno.test("process mode in a binary: the all-permission child narrows each operation to its grant", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon-binchild-" });
  try {
    await Deno.mkdir(`${dir}/ws`);
    await Deno.writeTextFile(`${dir}/ws/a.txt`, "inside");
    await Deno.writeTextFile(`${dir}/secret.txt`, "outside");
    const ok = await binaryChild({
      op: "readFile",
      args: { path: `${dir}/ws/a.txt`, root: `${dir}/ws`, maxBytes: 100 },
      permissions: { read: [`${dir}/ws`] },
    });
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.equal((ok.value as { text: string }).text, "inside");
    const denied = await binaryChild({
      op: "readFile",
      args: { path: `${dir}/secret.txt`, root: `${dir}/ws`, maxBytes: 100 },
      permissions: { read: [`${dir}/ws`] },
    });
    assert.equal(denied.ok, false);
    assert.ok(!denied.ok && denied.error.name === "NotCapable", JSON.stringify(denied));
    assert.doesNotMatch(JSON.stringify(denied), /outside"/, "the secret's content never came back");
    const noRun = await binaryChild({
      op: "exec",
      args: { argv: ["echo", "x"], cwd: `${dir}/ws`, env: {}, timeoutMs: 5000, maxOutputBytes: 1000 },
      permissions: { read: [`${dir}/ws`] },
    });
    assert.equal(noRun.ok, false, "run was not granted, so the child's worker cannot run programs");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
