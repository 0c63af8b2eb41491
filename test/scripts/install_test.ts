/** scripts/install.sh: platform detection, URLs, and a real install from a fake release server on loopback. */
import assert from "node:assert/strict";
import { tempHome } from "../helpers/temp.ts";
import { assetName, RELEASE_TARGETS } from "../../src/ops/update.ts";

const SCRIPT = new URL("../../scripts/install.sh", import.meta.url).pathname;
const WORKFLOW = new URL("../../.github/workflows/release.yml", import.meta.url).pathname;

async function runInstall(env: Record<string, string>, shell = "sh") {
  const out = await new Deno.Command(shell, {
    args: [SCRIPT],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function kv(text: string): Record<string, string> {
  return Object.fromEntries(
    text.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

Deno.test("install.sh parses under sh and bash", async () => {
  for (const shell of ["sh", "bash"]) {
    const { code, stderr } = await new Deno.Command(shell, { args: ["-n", SCRIPT], stderr: "piped" })
      .output();
    assert.equal(code, 0, `${shell} -n: ${new TextDecoder().decode(stderr)}`);
  }
});

Deno.test("install.sh dry run: uname → target, asset and URLs for latest and for a tag", async () => {
  const cases: Array<[string, string, string]> = [
    ["Linux", "x86_64", "x86_64-unknown-linux-gnu"],
    ["Linux", "aarch64", "aarch64-unknown-linux-gnu"],
    ["Linux", "arm64", "aarch64-unknown-linux-gnu"],
    ["Darwin", "x86_64", "x86_64-apple-darwin"],
    ["Darwin", "arm64", "aarch64-apple-darwin"],
    ["MINGW64_NT-10.0-19045", "x86_64", "x86_64-pc-windows-msvc"],
  ];
  for (const [s, m, target] of cases) {
    const r = await runInstall({
      HOME: "/home/u",
      TALON_UID: "1000",
      TALON_DRY_RUN: "1",
      TALON_UNAME_S: s,
      TALON_UNAME_M: m,
    });
    assert.equal(r.code, 0, r.stderr);
    const v = kv(r.stdout);
    assert.equal(v.target, target);
    assert.equal(v.asset, assetName(target), "the asset name `talon update` looks for");
    assert.equal(
      v.url,
      `https://github.com/talon-gateway/talon/releases/latest/download/${assetName(target)}`,
    );
    assert.equal(v.checksum_url, `${v.url}.sha256`);
    assert.equal(v.dest, `/home/u/.local/bin/talon${target.includes("windows") ? ".exe" : ""}`);
  }
  const tagged = kv(
    (await runInstall({
      HOME: "/h",
      TALON_DRY_RUN: "1",
      TALON_UNAME_S: "Linux",
      TALON_UNAME_M: "amd64",
      TALON_VERSION: "v1.2.3",
      TALON_REPO: "me/fork",
      TALON_INSTALL_DIR: "/opt/bin",
    })).stdout,
  );
  assert.equal(
    tagged.url,
    "https://github.com/me/fork/releases/download/v1.2.3/talon-x86_64-unknown-linux-gnu",
  );
  assert.equal(tagged.dest, "/opt/bin/talon");
});

Deno.test("install.sh installs to /usr/local/bin as root, ~/.local/bin otherwise", async () => {
  const base = { HOME: "/home/u", TALON_DRY_RUN: "1", TALON_UNAME_S: "Linux", TALON_UNAME_M: "x86_64" };
  assert.equal(kv((await runInstall({ ...base, TALON_UID: "0" })).stdout).dest, "/usr/local/bin/talon");
  assert.equal(kv((await runInstall({ ...base, TALON_UID: "501" })).stdout).dest, "/home/u/.local/bin/talon");
  const chosen = await runInstall({ ...base, TALON_UID: "0", TALON_INSTALL_DIR: "/opt/t" });
  assert.equal(kv(chosen.stdout).dest, "/opt/t/talon", "an explicit folder wins");
});

Deno.test("install.sh refuses platforms without a build", async () => {
  for (
    const [s, m, re] of [["SunOS", "x86_64", /unsupported operating system: SunOS/], [
      "Linux",
      "riscv64",
      /unsupported CPU architecture: riscv64/,
    ], ["Windows_NT", "aarch64", /unsupported Windows/]] as const
  ) {
    const r = await runInstall({ HOME: "/h", TALON_DRY_RUN: "1", TALON_UNAME_S: s, TALON_UNAME_M: m });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, "");
  }
});

Deno.test("install.sh downloads from a release server, verifies the sha256 and installs; a mismatch installs nothing", async () => {
  await using dir = await tempHome("talon-install-");
  const binary = new TextEncoder().encode("#!/bin/sh\necho talon-fake 9.9.9\n");
  const hex = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", binary)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  let sum = `${hex}  talon-x86_64-unknown-linux-gnu\n`;
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    if (path === "/v9.9.9/talon-x86_64-unknown-linux-gnu") return new Response(binary);
    if (path === "/v9.9.9/talon-x86_64-unknown-linux-gnu.sha256") return new Response(sum);
    return new Response("not found", { status: 404 });
  });
  try {
    const env = {
      HOME: dir.dir,
      TALON_DOWNLOAD_BASE: `http://127.0.0.1:${server.addr.port}`,
      TALON_VERSION: "v9.9.9",
      TALON_UNAME_S: "Linux",
      TALON_UNAME_M: "x86_64",
      TALON_INSTALL_DIR: `${dir.dir}/bin`,
    };
    const ok = await runInstall(env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Installed .*\/bin\/talon/);
    assert.match(ok.stdout, /Add .*\/bin to your PATH/);
    const installed = `${dir.dir}/bin/talon`;
    assert.deepEqual(await Deno.readFile(installed), binary);
    assert.equal((await Deno.stat(installed)).mode! & 0o111, 0o111);
    const run = await new Deno.Command(installed, { stdout: "piped" }).output();
    assert.equal(new TextDecoder().decode(run.stdout), "talon-fake 9.9.9\n");
    assert.deepEqual(hits, [
      "/v9.9.9/talon-x86_64-unknown-linux-gnu",
      "/v9.9.9/talon-x86_64-unknown-linux-gnu.sha256",
    ]);

    await Deno.remove(installed);
    sum = `${"0".repeat(64)}  talon-x86_64-unknown-linux-gnu\n`;
    const bad = await runInstall(env, "bash");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /checksum mismatch .*nothing installed/);
    assert.equal(await Deno.stat(installed).then(() => true, () => false), false);

    const missing = await runInstall({ ...env, TALON_VERSION: "v0.0.1" });
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /download failed: http:\/\/127\.0\.0\.1:\d+\/v0\.0\.1\/talon-x86_64-unknown-linux-gnu/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("release workflow builds every target install.sh and talon update know, with checksums", async () => {
  const yml = await Deno.readTextFile(WORKFLOW);
  assert.match(yml, /tags: \["v\*"\]/);
  for (const target of RELEASE_TARGETS) assert.ok(yml.includes(`target: ${target}`), target);
  assert.match(
    yml,
    /deno task compile --target "\$\{\{ matrix\.target \}\}" --output "dist\/talon-\$\{\{ matrix\.target \}\}\$\{\{ matrix\.ext \}\}"/,
  );
  assert.match(yml, /sha256sum "\$asset" > "\$asset\.sha256"/);
  assert.match(yml, /gh release (create|upload)/);
});

Deno.test("release workflow pins Deno and smoke-tests the real binary, also on clean runners", async () => {
  const yml = await Deno.readTextFile(WORKFLOW);
  assert.match(yml, /deno-version: v2\.9\.6/);
  assert.doesNotMatch(yml, /deno-version: v2\.x/);
  assert.match(yml, /scripts\/smoke_binary\.sh "\.\/dist\/talon-\$\{\{ matrix\.target \}\}/);
  const clean = yml.slice(yml.indexOf("smoke-clean:"));
  assert.match(clean, /needs: build/);
  assert.match(clean, /actions\/download-artifact/);
  assert.match(clean, /sha256sum -c/);
  assert.match(clean, /smoke_binary\.sh/);
  assert.match(yml, /needs: \[build, smoke-clean\]/, "nothing is released before the clean smoke test");
  const script = await Deno.stat(new URL("../../scripts/smoke_binary.sh", import.meta.url));
  assert.ok((script.mode ?? 0o755) & 0o100, "smoke_binary.sh is executable");
});
