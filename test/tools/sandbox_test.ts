import assert from "node:assert/strict";
import { createSandbox, intersectWithProcess } from "../../src/tools/sandbox/sandbox.ts";
import { permissionFlags } from "../../src/tools/sandbox/process_mode.ts";
import { ToolError } from "../../src/tools/errors.ts";
import { toolsEnv } from "../fakes/tools_env.ts";

async function notCapable(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (err) => {
    assert.ok(err instanceof ToolError, String(err));
    assert.equal(err.kind, "NotCapable");
    assert.match(err.message, pattern);
    return true;
  });
}

for (const mode of ["worker", "process"] as const) {
  Deno.test(`sandbox (${mode}) allows what was granted and refuses the rest`, async () => {
    await using env = await toolsEnv();
    await Deno.writeTextFile(`${env.workspace}/in.txt`, "inside");
    await Deno.writeTextFile(`${env.outside}/out.txt`, "outside");
    const sb = createSandbox({ mode, timeoutMs: 30_000 });
    const ws = { read: [env.workspace], write: [env.workspace] };
    const ok = await sb.run<{ text: string }>(
      "readFile",
      { path: `${env.workspace}/in.txt`, root: env.workspace, maxBytes: 100 },
      ws,
    );
    assert.equal(ok.text, "inside");
    await notCapable(
      sb.run("readFile", { path: "/etc/passwd", root: env.workspace, maxBytes: 100 }, ws),
      /^NotCapable: read \/etc\/passwd is outside this tool call's permissions \(read: only /,
    );
    await notCapable(
      sb.run("writeFile", { path: `${env.outside}/x.txt`, root: env.workspace, content: "x" }, ws),
      /write .*outside/,
    );
    await notCapable(
      sb.run(
        "exec",
        { argv: ["ls"], cwd: env.workspace, env: {}, timeoutMs: 5000, maxOutputBytes: 1000 },
        ws,
      ),
      /run .*ls.* \(run: none\)/,
    );
    await notCapable(
      sb.run("httpGet", {
        ip: "127.0.0.1",
        port: 9,
        tls: false,
        hostname: "127.0.0.1",
        hostHeader: "x",
        path: "/",
        maxBytes: 10,
        timeoutMs: 1000,
      }, { net: ["127.0.0.2:80"] }),
      /net 127\.0\.0\.1:9 is outside/,
    );
  });
}

Deno.test("sandbox exec runs only listed programs with a clean environment", async () => {
  await using env = await toolsEnv();
  const sb = createSandbox({ timeoutMs: 30_000 });
  const r = await sb.run<{ stdout: string; code: number }>(
    "exec",
    { argv: ["env"], cwd: env.workspace, env: { ONLY_THIS: "1" }, timeoutMs: 10_000, maxOutputBytes: 10_000 },
    { run: ["env"] },
  );
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), "ONLY_THIS=1");
});

Deno.test("intersectWithProcess and permissionFlags", () => {
  // The test process runs with --allow-all, so everything requested is kept.
  const p = { read: ["/tmp"], net: ["example.com:443"], run: ["git"], env: ["HOME"] };
  assert.deepEqual(intersectWithProcess(p), { ...p, write: [] });
  assert.deepEqual(permissionFlags({ read: ["/a", "/b"], run: [], net: ["h:1"] }), [
    "--allow-read=/a,/b",
    "--allow-net=h:1",
  ]);
});
