/**
 * A real `talon` for people running from source (`deno task talon:install`), and hints that name the
 * command that works here: `talon` once it is on PATH, else the exact `deno task …`/`npx …` form.
 */
import assert from "node:assert/strict";
import { cliInvocation, type InvocationFacts } from "../../src/cli/invocation.ts";
import { createInstallCliCommand, shimText } from "../../src/cli/install_cli.ts";
import { talonCommand } from "../../src/core/cli_name.ts";

const SOURCE = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
const DENO = Deno.execPath();

/** A new temporary directory by its real path (the caller removes it). */
async function tempDir(prefix: string): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix }));
}

async function executable(path: string, text = "#!/bin/sh\nexit 0\n"): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: 0o755 });
  await Deno.chmod(path, 0o755);
}

function facts(over: Partial<InvocationFacts>): InvocationFacts {
  return {
    env: { PATH: "/nonexistent" },
    execPath: DENO,
    standalone: false,
    cwd: "/",
    sourceDir: SOURCE,
    denoVersion: "2.9.6",
    ...over,
  };
}

/** Runs a command with a deadline; fails with its output instead of hanging. */
async function run(cmd: string, args: string[], o: { cwd: string; env: Record<string, string> }) {
  const child = new Deno.Command(cmd, {
    args,
    cwd: o.cwd,
    env: o.env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
}

Deno.test("hint prefix: TALON_CLI, a compiled binary on PATH or not, source with and without the shim", async () => {
  const bin = await tempDir("talon-inv-");
  try {
    assert.equal(cliInvocation(facts({ env: { TALON_CLI: "my-talon" } })), "my-talon");

    await executable(`${bin}/talon`, "#!/bin/sh\n# a compiled binary stand-in\n");
    const binary = { standalone: true, execPath: `${bin}/talon` };
    assert.equal(cliInvocation(facts({ ...binary, env: { PATH: `/usr/bin:${bin}` } })), "talon");
    assert.equal(cliInvocation(facts({ ...binary, env: { PATH: "/usr/bin" } })), `${bin}/talon`);

    // From source, deno on PATH, no shim: the --config form from elsewhere, the short form in the checkout.
    const denoDir = DENO.slice(0, DENO.lastIndexOf("/"));
    const withDeno = { env: { PATH: `${denoDir}:${bin}` } };
    assert.equal(
      cliInvocation(facts({ ...withDeno, cwd: "/tmp" })),
      `deno task --config ${SOURCE}/deno.json talon`,
    );
    assert.equal(cliInvocation(facts({ ...withDeno, cwd: SOURCE })), "deno task talon");
    // deno not on PATH: its full path; from npx's cache: the npx form the README gives.
    assert.equal(cliInvocation(facts({ cwd: SOURCE })), `${DENO} task talon`);
    assert.equal(
      cliInvocation(facts({ cwd: SOURCE, execPath: "/root/.npm/_npx/ab12/node_modules/deno/deno" })),
      "npx -y deno@2.9.6 task talon",
    );
    // A checkout path with a space is quoted so the hint pastes.
    assert.equal(
      cliInvocation(facts({ ...withDeno, cwd: "/tmp", sourceDir: "/src/my talon" })),
      "deno task --config '/src/my talon/deno.json' talon",
    );

    // `talon` on PATH counts only when it is the shim for this checkout.
    await executable(`${bin}/talon`, shimText("/some/other/checkout", "deno"));
    assert.equal(
      cliInvocation(facts({ ...withDeno, cwd: "/tmp" })),
      `deno task --config ${SOURCE}/deno.json talon`,
    );
    await executable(`${bin}/talon`, shimText(SOURCE, "deno"));
    assert.equal(cliInvocation(facts({ ...withDeno, cwd: "/tmp" })), "talon");
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("install-cli refuses a foreign talon, replaces it with --force, removes only its own", async () => {
  const dir = await tempDir("talon-bin-");
  const checked: string[] = [];
  const cmd = createInstallCliCommand({
    sourceDir: SOURCE,
    execPath: DENO,
    denoVersion: Deno.version.deno,
    standalone: false,
    check: (path) => {
      checked.push(path);
      return Promise.resolve({ code: 0, output: "talon 0.1.0" });
    },
  });
  let err = "";
  let out = "";
  const io = { out: (s: string) => void (out += s + "\n"), err: (s: string) => void (err += s + "\n") };
  const env = { HOME: dir, PATH: "/usr/bin" };
  try {
    await executable(`${dir}/talon`, "#!/bin/sh\necho someone else's talon\n");
    assert.equal(await cmd.run(["--dir", dir], { ...io, env, interactive: false }), 1);
    assert.match(err, /was not written by talon install-cli; use --force/);
    assert.equal(await cmd.run(["--dir", dir, "--remove"], { ...io, env, interactive: false }), 1);
    assert.match(await Deno.readTextFile(`${dir}/talon`), /someone else/, "a foreign talon is left alone");

    assert.equal(await cmd.run(["--dir", dir, "--force"], { ...io, env, interactive: false }), 0, err);
    assert.deepEqual(checked, [`${dir}/talon`], "the written command is run once before it counts");
    assert.match(out, new RegExp(`${dir} is not on your PATH yet`));
    const text = await Deno.readTextFile(`${dir}/talon`);
    assert.match(
      text,
      new RegExp(`exec ${DENO} run --cached-only .* --config ${SOURCE}/deno.json ${SOURCE}/main.ts`),
    );
    assert.equal((await Deno.stat(`${dir}/talon`)).mode! & 0o777, 0o755);

    // Deno from npx's cache: the command goes through npx, which survives the cache being cleared.
    const npx = createInstallCliCommand({
      sourceDir: SOURCE,
      execPath: "/root/.npm/_npx/ab12/node_modules/deno/deno",
      denoVersion: "2.9.6",
      standalone: false,
      check: () => Promise.resolve({ code: 0, output: "" }),
    });
    await executable(`${dir}/npx`);
    assert.equal(
      await npx.run(["--dir", dir], { ...io, env: { HOME: dir, PATH: dir }, interactive: false }),
      0,
      err,
    );
    assert.match(
      await Deno.readTextFile(`${dir}/talon`),
      new RegExp(`exec ${dir}/npx -y deno@2.9.6 run --cached-only`),
    );

    assert.equal(await cmd.run(["--dir", dir, "--remove"], { ...io, env, interactive: false }), 0);
    await assert.rejects(Deno.stat(`${dir}/talon`), Deno.errors.NotFound);
    assert.equal(await cmd.run(["--dir", dir, "--remove"], { ...io, env, interactive: false }), 1);
    assert.match(err, /there is no talon command/);
    assert.equal(await cmd.run(["stray"], { ...io, env, interactive: false }), 2);

    const binary = createInstallCliCommand({
      sourceDir: SOURCE,
      execPath: "/usr/local/bin/talon",
      denoVersion: "2.9.6",
      standalone: true,
      check: () => Promise.reject(new Error("must not run")),
    });
    assert.equal(await binary.run(["--dir", dir], { ...io, env, interactive: false }), 2);
    assert.match(err, /this is the compiled binary: it is the talon command/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task talon:install gives a working talon on PATH; hints then say `talon …`", async () => {
  const dir = await tempDir("talon-path-");
  const elsewhere = await tempDir("talon-cwd-");
  try {
    const denoDir = DENO.slice(0, DENO.lastIndexOf("/"));
    const env = {
      HOME: elsewhere,
      TALON_HOME: `${elsewhere}/state`,
      TALON_BIN_DIR: `${dir}/bin`,
      PATH: `${dir}/bin:${denoDir}:/usr/bin:/bin`,
      NO_COLOR: "1",
      // HOME moves, Deno's module cache must not (nothing may be fetched).
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`,
    };
    // Before: a hint printed outside the checkout names the deno task form, which works from here.
    const before = await run(DENO, [
      "run",
      "-A",
      "--unstable-worker-options",
      `${SOURCE}/main.ts`,
      "sessions",
      "show",
    ], {
      cwd: elsewhere,
      env,
    });
    assert.match(
      before.err,
      new RegExp(`see deno task --config ${SOURCE}/deno.json talon sessions list`),
      before.err,
    );

    const install = await run(DENO, ["task", "--config", `${SOURCE}/deno.json`, "talon:install"], {
      cwd: elsewhere,
      env,
    });
    assert.equal(install.code, 0, install.out + install.err);
    assert.match(install.out, /Installed .*\/bin\/talon/);

    // The user's own directory is kept: a relative --config is read from where talon was run.
    await Deno.writeTextFile(`${elsewhere}/mine.json`, JSON.stringify({ gateway: { port: 19999 } }));
    const get = await run("talon", ["config", "get", "gateway.port", "--config", "./mine.json"], {
      cwd: elsewhere,
      env,
    });
    assert.equal(get.code, 0, get.err);
    assert.equal(get.out.trim(), "19999");

    const after = await run("talon", ["sessions", "show"], { cwd: elsewhere, env });
    assert.match(after.err, /\(see talon sessions list\)/, after.err);

    // `deno task talon` (which Deno runs inside the checkout) also keeps the caller's directory.
    const viaTask = await run(DENO, [
      "task",
      "--config",
      `${SOURCE}/deno.json`,
      "talon",
      "config",
      "get",
      "gateway.port",
      "--config",
      "./mine.json",
    ], { cwd: elsewhere, env });
    assert.equal(viaTask.code, 0, viaTask.err);
    assert.match(viaTask.out, /19999/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("talonCommand builds hints from the prefix", () => {
  assert.equal(talonCommand("dashboard"), "talon dashboard");
  assert.equal(talonCommand(), "talon");
});
