/** The confinement module: the bwrap command line (pure) and real confined runs. */
import assert from "node:assert/strict";
import { bwrapArgs, etcSecrets, type HostLayout } from "../../src/security/bwrap_args.ts";
import { ConfineError, createConfiner, describeConfinement } from "../../src/security/confine.ts";

/** A host with /bin -> usr/bin style symlinks, /etc with secrets, and an ssh host key. */
function fakeHost(): HostLayout {
  const kinds: Record<string, "file" | "dir" | "symlink"> = {
    "/usr": "dir",
    "/bin": "symlink",
    "/lib": "symlink",
    "/lib64": "dir",
    "/etc": "dir",
    "/etc/shadow": "file",
    "/etc/gshadow": "file",
    "/etc/ssh/ssh_host_ed25519_key": "file",
    "/etc/ssh/ssh_host_ed25519_key.pub": "file",
    "/etc/ssl/private": "dir",
    "/opt/tool": "dir",
  };
  const links: Record<string, string> = { "/bin": "usr/bin", "/lib": "usr/lib" };
  return {
    kind: (p) => kinds[p],
    link: (p) => links[p],
    list: (d) => d === "/etc/ssh" ? ["ssh_config", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"] : [],
  };
}

const spec = {
  argv: ["/usr/bin/git", "status"],
  cwd: "/home/me/.talon/workspace/main",
  env: { PATH: "/usr/bin" },
  writable: ["/home/me/.talon/workspace/main"],
  empty: ["/home/me"],
  network: false,
};

Deno.test("bwrapArgs: namespaces, read-only system dirs, blanked secrets, private /tmp and home, workspace rw", () => {
  const args = bwrapArgs(spec, fakeHost());
  const line = args.join(" ");
  for (
    const flag of ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
  ) {
    assert.ok(args.includes(flag), flag);
  }
  assert.match(line, /--ro-bind \/usr \/usr/);
  assert.match(line, /--symlink usr\/bin \/bin/);
  assert.match(line, /--ro-bind \/lib64 \/lib64/);
  assert.match(line, /--ro-bind \/etc \/etc/);
  assert.match(line, /--ro-bind \/dev\/null \/etc\/shadow /);
  assert.match(line, /--ro-bind \/dev\/null \/etc\/ssh\/ssh_host_ed25519_key /);
  assert.doesNotMatch(line, /ssh_host_ed25519_key\.pub/, "public keys stay readable");
  assert.match(line, /--tmpfs \/etc\/ssl\/private --remount-ro \/etc\/ssl\/private/);
  assert.match(line, /--proc \/proc --dev \/dev --tmpfs \/tmp/);
  // The empty home comes before the workspace below it, so the workspace is bound on top.
  assert.ok(line.indexOf("--tmpfs /home/me") < line.indexOf("--bind /home/me/.talon/workspace/main"));
  assert.deepEqual(args.slice(-5), ["--chdir", spec.cwd, "--", "/usr/bin/git", "status"]);
  assert.doesNotMatch(line, /--bind \/home\/me /, "nothing else of $HOME is bound");
  assert.doesNotMatch(line, /PATH/, "the environment is not on the command line");
});

Deno.test("bwrapArgs: network only when asked; extra read-only paths; bad specs are TypeErrors", () => {
  const net = bwrapArgs({ ...spec, network: true, readable: ["/opt/tool", "/opt/missing"] }, fakeHost());
  assert.ok(!net.includes("--unshare-net"));
  assert.match(net.join(" "), /--ro-bind \/opt\/tool \/opt\/tool/);
  assert.doesNotMatch(net.join(" "), /\/opt\/missing/);
  assert.throws(() => bwrapArgs({ ...spec, argv: ["git"] }, fakeHost()), TypeError);
  assert.throws(() => bwrapArgs({ ...spec, argv: [] }, fakeHost()), TypeError);
  assert.throws(() => bwrapArgs({ ...spec, writable: ["relative"] }, fakeHost()), TypeError);
  assert.deepEqual(etcSecrets(fakeHost()).dirs, ["/etc/ssl/private"]);
});

Deno.test("createConfiner: off, not Linux, bwrap missing, probe failing, no --allow-run", async () => {
  const off = createConfiner({ mode: "off", os: "linux", path: "/usr/bin" });
  assert.equal(off.launcher(), undefined);
  assert.deepEqual(await off.status(), { kind: "none", reason: 'tools.exec.confine is "off"' });
  const plain = await off.plan({ ...spec, argv: ["/usr/bin/true"], cwd: "/", writable: [] });
  assert.deepEqual({ program: plain.program, args: plain.args, confined: plain.confined }, {
    program: "/usr/bin/true",
    args: [],
    confined: false,
  });

  const mac = await createConfiner({ mode: "auto", os: "darwin", path: "/usr/bin" }).status();
  assert.equal(mac.kind, "none");
  assert.match(describeConfinement(mac), /^unconfined: bubblewrap confinement needs Linux/);

  const missingAuto = await createConfiner({ mode: "auto", os: "linux", path: "/nonexistent" }).status();
  assert.equal(missingAuto.kind, "none");
  assert.match(
    describeConfinement(missingAuto),
    /bwrap was not found on PATH \(install the Debian package bubblewrap\)/,
  );

  const required = createConfiner({ mode: "bwrap", os: "linux", path: "/nonexistent" });
  assert.equal((await required.status()).kind, "unavailable");
  await assert.rejects(
    required.plan(spec),
    (e) =>
      e instanceof ConfineError && /tools\.exec\.confine is "bwrap" but bwrap was not found/.test(e.message),
  );

  const broken = createConfiner({
    mode: "bwrap",
    os: "linux",
    path: "/usr/bin",
    probe: () => Promise.resolve("setting up uid map: Permission denied"),
  });
  assert.match(
    describeConfinement(await broken.status()),
    /^refused: .*does not work here: setting up uid map/,
  );

  const forbidden = await createConfiner({ mode: "auto", os: "linux", path: "/usr/bin", mayRun: () => false })
    .status();
  assert.match(describeConfinement(forbidden), /may not run .*bwrap \(--allow-run\)/);
});

/** Runs `argv` confined with the real bwrap and returns its output. */
async function confined(argv: string[], extra: { network?: boolean; home?: string; ws: string }) {
  const c = createConfiner({ mode: "bwrap", os: Deno.build.os, path: "/usr/bin:/bin" });
  const plan = await c.plan({
    argv,
    cwd: extra.ws,
    env: { PATH: "/usr/bin:/bin", HOME: extra.home ?? "/nonexistent" },
    writable: [extra.ws],
    empty: extra.home ? [extra.home] : [],
    network: extra.network ?? false,
  });
  assert.equal(plan.confined, true);
  const out = await new Deno.Command(plan.program, {
    args: plan.args,
    cwd: plan.cwd,
    env: plan.env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("a real confined run: the workspace is writable, $HOME is empty, /tmp is private, /etc/shadow is blank", async () => {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "talon-home-" }));
  try {
    const ws = `${home}/.talon/workspace/main`;
    await Deno.mkdir(ws, { recursive: true });
    await Deno.writeTextFile(`${home}/.talon/talon.json`, '{"secret":true}');
    await Deno.writeTextFile(`${home}/.bash_history`, "secret history");
    const marker = `/tmp/talon-confine-${crypto.randomUUID()}`;
    await Deno.writeTextFile(marker, "host tmp");
    try {
      const r = await confined(
        [
          "/bin/sh",
          "-c",
          `echo made > out.txt; ls -A ${home}; ls -A ${home}/.talon; cat ${marker}; wc -c < /etc/shadow; id -u`,
        ],
        { ws, home },
      );
      assert.equal(await Deno.readTextFile(`${ws}/out.txt`), "made\n");
      assert.doesNotMatch(r.out, /bash_history|talon\.json/);
      assert.match(r.err, /No such file or directory/, "the host's /tmp file is not there");
      assert.match(r.out, /^0$/m, "/etc/shadow reads as empty");
    } finally {
      await Deno.remove(marker);
    }
    const w = await confined(["/bin/sh", "-c", "touch /usr/x 2>&1 || echo ro"], { ws });
    assert.match(w.out, /ro$/m, "/usr is read-only");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
