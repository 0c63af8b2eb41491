import assert from "node:assert/strict";
import { createServiceCommand } from "../../src/cli/service.ts";
import { EXIT } from "../../src/cli/io.ts";
import type { CommandRunner } from "../../src/ops/command_runner.ts";
import { gatewayExecStart, renderUnit, systemdQuote } from "../../src/ops/systemd.ts";

const MAIN = new URL("../../main.ts", import.meta.url).href;

function fakeRunner(codes: Record<string, number> = {}) {
  const calls: string[] = [];
  const runner: CommandRunner = (cmd, args) => {
    const line = [cmd, ...args].join(" ");
    calls.push(line);
    const code = Object.entries(codes).find(([k]) => line.includes(k))?.[1] ?? 0;
    return Promise.resolve({
      code,
      stdout: code ? "" : `ran ${line}`,
      stderr: code ? `${args[1] ?? ""} failed` : "",
    });
  };
  return { runner, calls };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "talon-svc-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function io(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env, interactive: false },
  };
}

Deno.test("the unit has the hardening, restart policy and TALON_HOME", () => {
  const text = renderUnit({
    scope: "system",
    home: "/var/lib/talon",
    execStart: ["/usr/local/bin/talon", "gateway"],
    user: "talon",
    memoryMax: "512M",
  });
  for (
    const line of [
      "ExecStart=/usr/local/bin/talon gateway",
      "Environment=TALON_HOME=/var/lib/talon",
      "User=talon",
      "Restart=on-failure",
      "RestartPreventExitStatus=78",
      "MemoryMax=512M",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/talon",
      "PrivateTmp=yes",
      "WantedBy=multi-user.target",
    ]
  ) assert.ok(text.split("\n").includes(line), `missing ${line}\n${text}`);
  assert.match(text, /^# exec programs run inside bubblewrap \(apt-get install bubblewrap/m);
  assert.doesNotMatch(text, /^(RestrictNamespaces|PrivateUsers)=/m, "bwrap needs user namespaces");
});

Deno.test("ExecStart: compiled binary runs itself; deno runs main.ts with permission flags", () => {
  assert.deepEqual(gatewayExecStart({ execPath: "/opt/talon/talon", mainModule: MAIN, home: "/h" }), [
    "/opt/talon/talon",
    "gateway",
  ]);
  const dev = gatewayExecStart({
    execPath: "/usr/bin/deno",
    mainModule: "file:///src/talon/main.ts",
    home: "/h",
  });
  assert.equal(dev[0], "/usr/bin/deno");
  assert.equal(dev[1], "run");
  assert.ok(dev.includes("--allow-write=/h,/tmp"));
  assert.ok(!dev.includes("--allow-all"));
  assert.deepEqual(dev.slice(-2), ["/src/talon/main.ts", "gateway"]);
  assert.equal(systemdQuote("50%"), "50%%");
  assert.equal(systemdQuote('a b"c'), '"a b\\"c"');
});

/** systemd-analyze is not on every machine (apt-get install systemd); without it the test is ignored, not passed. */
const HAS_SYSTEMD_ANALYZE = await new Deno.Command("systemd-analyze", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

Deno.test({
  name: "systemd-analyze verify accepts the generated unit (user and system)",
  ignore: !HAS_SYSTEMD_ANALYZE,
}, async (t) => {
  await withDir(async (dir) => {
    const home = `${dir}/talon home`;
    await Deno.mkdir(home);
    for (const scope of ["user", "system"] as const) {
      await t.step(scope, async () => {
        const execStart = gatewayExecStart({ execPath: Deno.execPath(), mainModule: MAIN, home });
        const unit = `${dir}/talon.service`;
        await Deno.writeTextFile(
          unit,
          renderUnit({
            scope,
            home,
            execStart,
            extraWritablePaths: [`${dir}/deno-dir`],
            user: "root",
            environmentFile: `${home}/talon.env`,
          }),
        );
        const out = await new Deno.Command("systemd-analyze", {
          args: ["verify", "--man=no", unit],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const msg = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, msg);
        assert.equal(msg.trim(), "", "no warnings (unknown keys, bad values)");
      });
    }
    // The check can fail: a unit with a bad key and a missing binary is rejected.
    const bad = `${dir}/bad.service`;
    await Deno.writeTextFile(
      bad,
      renderUnit({ scope: "user", home, execStart: [`${dir}/missing-binary`, "gateway"] }) + "\n",
    );
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", "--man=no", bad],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(out.code, 0);
  });
});

Deno.test("talon service install --print prints the unit and runs nothing", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner();
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    const t = io({ HOME: dir, TALON_HOME: `${dir}/.talon`, SUDO_USER: "alice" });
    assert.equal(await cmd.run(["install", "--system", "--print"], t.io), EXIT.ok);
    assert.match(t.out.join("\n"), /User=alice/);
    assert.match(t.out.join("\n"), /ExecStart=\/opt\/talon\/talon gateway/);
    assert.match(t.out.join("\n"), /WantedBy=multi-user\.target/);
    assert.deepEqual(calls, []);
    await assert.rejects(Deno.stat(`${dir}/.config`), Deno.errors.NotFound);
  });
});

Deno.test("talon service install --user writes the unit, then daemon-reload, enable, start", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner();
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    const t = io({ HOME: dir, TALON_HOME: `${dir}/.talon` });
    assert.equal(await cmd.run(["install", "--user"], t.io), EXIT.ok);
    const unit = await Deno.readTextFile(`${dir}/.config/systemd/user/talon.service`);
    assert.match(unit, new RegExp(`Environment=TALON_HOME=${dir}/.talon`));
    assert.match(unit, /WantedBy=default\.target/);
    assert.deepEqual(calls, [
      "systemctl --user is-system-running",
      "systemctl --user daemon-reload",
      "systemctl --user enable talon.service",
      "systemctl --user start talon.service",
    ]);
  });
});

Deno.test("talon service: a failing systemctl step is reported with exit 1", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner({ enable: 1 });
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    const t = io({ HOME: dir, TALON_HOME: `${dir}/.talon` });
    assert.equal(await cmd.run(["install"], t.io), EXIT.failure);
    assert.match(t.err.join("\n"), /systemctl enable failed \(exit 1\)/);
    assert.equal(calls.length, 3, "start is not attempted after enable failed");
  });
});

Deno.test("talon service status/stop/restart/logs/uninstall call systemctl and journalctl", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner({ "is-active": 3 });
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    const env = { HOME: dir, XDG_CONFIG_HOME: `${dir}/xdg` };
    await Deno.mkdir(`${dir}/xdg/systemd/user`, { recursive: true });
    await Deno.writeTextFile(`${dir}/xdg/systemd/user/talon.service`, "[Unit]\n");
    for (const a of ["status", "stop", "restart"]) assert.equal(await cmd.run([a], io(env).io), EXIT.ok);
    assert.equal(await cmd.run(["logs", "-n", "50"], io(env).io), EXIT.ok);
    assert.equal(await cmd.run(["uninstall"], io(env).io), EXIT.ok);
    await assert.rejects(Deno.stat(`${dir}/xdg/systemd/user/talon.service`), Deno.errors.NotFound);
    assert.equal(await cmd.run(["status", "--system"], io(env).io), EXIT.ok);
    assert.deepEqual(calls, [
      "systemctl --user status --no-pager talon.service",
      "systemctl --user stop talon.service",
      "systemctl --user restart talon.service",
      "journalctl --user -u talon.service -n 50 --no-pager",
      "systemctl --user stop talon.service",
      "systemctl --user disable talon.service",
      "systemctl --user daemon-reload",
      "systemctl status --no-pager talon.service",
    ]);
  });
});

Deno.test("talon service: bad arguments are usage errors", async () => {
  const { runner, calls } = fakeRunner();
  const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
  const env = { HOME: "/nonexistent" };
  assert.equal(await cmd.run([], io(env).io), EXIT.usage);
  assert.equal(await cmd.run(["explode"], io(env).io), EXIT.usage);
  assert.equal(await cmd.run(["install", "--user", "--system"], io(env).io), EXIT.usage);
  assert.equal(await cmd.run(["install", "--memory-max", "lots"], io(env).io), EXIT.usage);
  assert.equal(await cmd.run(["logs", "-n", "0"], io(env).io), EXIT.usage);
  assert.deepEqual(calls, []);
});

Deno.test("talon service install from source refuses a deno inside npx's throw-away cache; --deno picks a stable one", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner();
    const npxDeno = `${dir}/.npm/_npx/4f2a9c/node_modules/deno/bin/deno`;
    const cmd = createServiceCommand({ runner, execPath: npxDeno, mainModule: MAIN });
    let t = io({ HOME: dir, TALON_HOME: `${dir}/.talon` });
    assert.equal(await cmd.run(["install"], t.io), EXIT.failure);
    assert.match(t.err.join("\n"), /npx's temporary cache.*--deno <path to deno>/s);
    assert.deepEqual(calls, [], "nothing was run");
    await assert.rejects(Deno.stat(`${dir}/.config/systemd/user/talon.service`), Deno.errors.NotFound);
    t = io({ HOME: dir, TALON_HOME: `${dir}/.talon` });
    assert.equal(await cmd.run(["install", "--print", "--deno", "/usr/local/bin/deno"], t.io), EXIT.ok);
    assert.match(t.out.join("\n"), /ExecStart=\/usr\/local\/bin\/deno run /);
  });
});

Deno.test("talon service install --system as root without SUDO_USER refuses to write a root unit unless --run-as", async () => {
  await withDir(async (dir) => {
    const { runner, calls } = fakeRunner();
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    let t = io({ HOME: dir, TALON_HOME: `${dir}/.talon`, USER: "root" });
    assert.equal(await cmd.run(["install", "--system", "--print"], t.io), EXIT.failure);
    assert.match(t.err.join("\n"), /would run Talon as root.*--run-as <user>/s);
    t = io({ HOME: dir, TALON_HOME: `${dir}/.talon`, USER: "root" });
    assert.equal(await cmd.run(["install", "--system", "--print", "--run-as", "talon"], t.io), EXIT.ok);
    assert.match(t.out.join("\n"), /User=talon/);
    assert.deepEqual(calls, []);
  });
});

Deno.test("talon service install says so, before writing anything, when systemd is not running", async () => {
  await withDir(async (dir) => {
    const calls: string[] = [];
    const runner: CommandRunner = (cmd, args) => {
      calls.push([cmd, ...args].join(" "));
      return Promise.resolve({
        code: 1,
        stdout: "offline\n",
        stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\n",
      });
    };
    const cmd = createServiceCommand({ runner, execPath: "/opt/talon/talon", mainModule: MAIN });
    const t = io({ HOME: dir, TALON_HOME: `${dir}/.talon`, SUDO_USER: "alice" });
    assert.equal(await cmd.run(["install", "--system"], t.io), EXIT.failure);
    assert.match(t.err.join("\n"), /systemd is not running on this machine.*Nothing was written/s);
    assert.deepEqual(calls, ["systemctl is-system-running"]);
    await assert.rejects(Deno.stat(`${dir}/.talon`), Deno.errors.NotFound);
  });
});
