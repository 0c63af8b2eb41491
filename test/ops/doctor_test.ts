import assert from "node:assert/strict";
import { type DoctorDeps, type DoctorResult, runDoctor } from "../../src/ops/doctor.ts";
import type { CommandRunner } from "../../src/ops/command_runner.ts";
import { createDoctorCommand } from "../../src/cli/doctor.ts";
import { EXIT } from "../../src/cli/io.ts";
import { openStore } from "../../src/store/mod.ts";
import { openDb } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrate.ts";
import { allMigrations } from "../../src/store/migrations.ts";
import { freePort } from "../helpers/ports.ts";

const NOW = Date.now();
const dfOk: CommandRunner = (cmd) =>
  Promise.resolve(
    cmd === "df"
      ? {
        code: 0,
        stdout:
          "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x 100000000 1 50000000 1% /\n",
        stderr: "",
      }
      : { code: 0, stdout: "enabled\n", stderr: "" },
  );

async function withHome(raw: Record<string, unknown> | undefined, fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "talon-doctor-" });
  try {
    if (raw) await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(raw), { mode: 0o600 });
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function deps(home: string, over: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    env: { TALON_HOME: home },
    fix: false,
    runner: dfOk,
    fetch: () => Promise.reject(new Error("no network in this test")),
    now: () => NOW,
    online: false,
    unitFiles: [{ scope: "user", path: `${home}/no-unit.service` }],
    browserCandidates: [],
    ...over,
  };
}

const byId = (rs: DoctorResult[], id: string) =>
  rs.filter((r) => r.id === id || r.id.startsWith(id + ":") || r.id.startsWith(id + "."));

Deno.test("invalid config fails and the config-independent checks still run", async () => {
  await withHome({ gateway: { port: "x" } }, async (home) => {
    const rs = await runDoctor(deps(home));
    assert.equal(byId(rs, "config")[0]!.status, "fail");
    assert.match(byId(rs, "config")[0]!.what, /gateway\.port/);
    assert.deepEqual(rs.map((r) => r.id), ["config", "permissions", "service", "disk", "clock"]);
  });
});

Deno.test("permissions: readable files fail; --fix chmods them to 0600/0700", async () => {
  await withHome({ gateway: { port: 0 } }, async (home) => {
    await Deno.chmod(`${home}/talon.json`, 0o644);
    await Deno.mkdir(`${home}/credentials`);
    await Deno.chmod(`${home}/credentials`, 0o750);
    let rs = byId(await runDoctor(deps(home)), "permissions");
    assert.deepEqual(rs.map((r) => [r.id, r.status]), [
      [`permissions:${home}/credentials`, "warn"],
      [`permissions:${home}/talon.json`, "fail"],
    ]);
    rs = byId(await runDoctor(deps(home, { fix: true })), "permissions");
    assert.ok(rs.every((r) => r.fixed));
    assert.equal((await Deno.stat(`${home}/talon.json`)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${home}/credentials`)).mode! & 0o777, 0o700);
    assert.deepEqual(byId(await runDoctor(deps(home)), "permissions").map((r) => r.status), ["ok"]);
  });
});

Deno.test("store: current schema and integrity ok; pending migrations warn and --fix applies them", async () => {
  await withHome({ gateway: { port: 0 } }, async (home) => {
    const store = await openStore({ url: `file:${home}/talon.db` });
    store.close();
    let rs = await runDoctor(deps(home));
    assert.deepEqual(byId(rs, "store").map((r) => r.status), ["ok", "ok"]);
    await Deno.remove(`${home}/talon.db`);
    const db = await openDb({ url: `file:${home}/talon.db` });
    await migrate(db, allMigrations.slice(0, 1));
    db.close();
    rs = await runDoctor(deps(home));
    const pending = byId(rs, "store.migrations")[0]!;
    assert.equal(pending.status, "warn");
    assert.match(pending.what, new RegExp(`${allMigrations.length - 1} store migration`));
    await runDoctor(deps(home, { fix: true }));
    assert.equal(byId(await runDoctor(deps(home)), "store.migrations")[0]!.status, "ok");
  });
});

Deno.test("store: a file that is not a database fails", async () => {
  await withHome({ gateway: { port: 0 } }, async (home) => {
    await Deno.writeTextFile(`${home}/talon.db`, "this is not sqlite ".repeat(400), { mode: 0o600 });
    const rs = await runDoctor(deps(home));
    const store = rs.filter((r) => r.id.startsWith("store"));
    assert.ok(store.some((r) => r.status === "fail"), JSON.stringify(store));
  });
});

Deno.test("port: free is ok, a gateway answering /healthz is ok, anything else holding it fails", async () => {
  const port = freePort();
  await withHome({ gateway: { port } }, async (home) => {
    assert.match(byId(await runDoctor(deps(home)), "port")[0]!.what, /is free/);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen() {} },
      (req) =>
        new URL(req.url).pathname === "/healthz"
          ? Response.json({ ok: true })
          : new Response("no", { status: 404 }),
    );
    try {
      const r = byId(await runDoctor(deps(home, { fetch })), "port")[0]!;
      assert.equal(r.status, "ok");
      assert.match(r.what, /gateway answers/);
    } finally {
      await server.shutdown();
    }
    const raw = Deno.listen({ hostname: "127.0.0.1", port });
    try {
      const r = byId(
        await runDoctor(deps(home, { fetch: () => Promise.reject(new TypeError("refused")) })),
        "port",
      )[0]!;
      assert.equal(r.status, "fail");
      assert.match(r.what, /not a Talon gateway/);
    } finally {
      raw.close();
    }
  });
});

Deno.test("providers: none warns; --online checks each key against the model list", async () => {
  await withHome({ gateway: { port: 0 } }, async (home) => {
    assert.equal(byId(await runDoctor(deps(home)), "providers")[0]!.status, "warn");
  });
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(
      `${new URL(req.url).pathname} ${req.headers.get("authorization") ?? req.headers.get("x-api-key")}`,
    );
    const good = req.headers.get("authorization") === "Bearer good" ||
      req.headers.get("x-api-key") === "good";
    return good ? Response.json({ data: [] }) : new Response("{}", { status: 401 });
  });
  const base = `http://127.0.0.1:${server.addr.port}/v1`;
  try {
    const raw = {
      gateway: { port: 0 },
      providers: {
        a: { api: "openai-chat", baseUrl: base, apiKey: "good" },
        b: { api: "anthropic", baseUrl: base, apiKey: "bad" },
      },
    };
    await withHome(raw, async (home) => {
      const offline = byId(await runDoctor(deps(home)), "provider");
      assert.deepEqual(offline.map((r) => r.status), ["ok", "ok"]);
      assert.deepEqual(seen, [], "offline makes no calls");
      const rs = byId(await runDoctor(deps(home, { online: true, fetch })), "provider");
      assert.deepEqual(rs.map((r) => [r.id, r.status]), [["provider:a", "ok"], ["provider:b", "fail"]]);
      assert.match(rs[1]!.what, /HTTP 401/);
      assert.deepEqual(seen, ["/v1/models Bearer good", "/v1/models bad"]);
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("channels: malformed Telegram token fails; --online checks Telegram (getMe) and Discord (users/@me)", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === "/v10/users/@me") {
      const good = req.headers.get("authorization") === "Bot discord-good-token";
      return Response.json(good ? { id: "1", username: "talon" } : { message: "401: Unauthorized" }, {
        status: good ? 200 : 401,
      });
    }
    const ok = new URL(req.url).pathname === "/bot123456:abcdefghijklmnopqrstuvwxyz/getMe";
    return Response.json(ok ? { ok: true, result: { username: "talon_bot" } } : { ok: false }, {
      status: ok ? 200 : 401,
    });
  });
  const apiRoot = `http://127.0.0.1:${server.addr.port}`;
  try {
    const raw = {
      gateway: { port: 0 },
      channels: {
        telegram: {
          accounts: {
            good: { botToken: "123456:abcdefghijklmnopqrstuvwxyz", apiRoot },
            revoked: { botToken: "123456:zzzzzzzzzzzzzzzzzzzzzzzzzz", apiRoot },
            typo: { botToken: "not-a-token" },
          },
        },
        discord: {
          accounts: {
            d: { botToken: "discord-good-token", apiRoot },
            gone: { botToken: "discord-revoked-token", apiRoot },
          },
        },
      },
    };
    await withHome(raw, async (home) => {
      let rs = byId(await runDoctor(deps(home)), "channel");
      assert.deepEqual(rs.map((r) => [r.id, r.status]), [
        ["channel:telegram:good", "ok"],
        ["channel:telegram:revoked", "ok"],
        ["channel:telegram:typo", "fail"],
        ["channel:discord:d", "ok"],
        ["channel:discord:gone", "ok"],
      ]);
      rs = byId(await runDoctor(deps(home, { online: true, fetch })), "channel");
      assert.deepEqual(rs.map((r) => r.status), ["ok", "fail", "fail", "ok", "fail"]);
      assert.match(rs[0]!.what, /@talon_bot/);
      assert.match(rs[3]!.what, /token valid \(talon\)/);
      assert.match(rs[4]!.what, /Discord rejected the token \(HTTP 401\)/);
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("browser, test-only switch, service, disk and clock checks", async () => {
  await withHome({ gateway: { port: 0 }, tools: { web: { testAllowLoopback: true } } }, async (home) => {
    const fakeChrome = `${home}/chromium`;
    const unit = `${home}/talon.service`;
    let rs = await runDoctor(
      deps(home, { browserCandidates: [fakeChrome], unitFiles: [{ scope: "user", path: unit }] }),
    );
    assert.equal(byId(rs, "browser")[0]!.status, "warn");
    assert.equal(byId(rs, "test-switches")[0]!.status, "fail");
    assert.equal(byId(rs, "service")[0]!.status, "warn");
    assert.match(byId(rs, "service")[0]!.fix!, /talon service install/);
    await Deno.writeTextFile(fakeChrome, "");
    await Deno.writeTextFile(unit, "[Unit]\n");
    const calls: string[] = [];
    const disabled: CommandRunner = (cmd, args) => {
      calls.push([cmd, ...args].join(" "));
      return cmd === "df"
        ? Promise.resolve({ code: 0, stdout: "h\n/dev/x 1000 900 51200 95% /\n", stderr: "" })
        : Promise.resolve({ code: 1, stdout: "disabled\n", stderr: "" });
    };
    rs = await runDoctor(
      deps(home, {
        browserCandidates: [fakeChrome],
        unitFiles: [{ scope: "user", path: unit }],
        runner: disabled,
      }),
    );
    assert.equal(byId(rs, "browser")[0]!.status, "ok");
    assert.equal(byId(rs, "service")[0]!.status, "warn");
    assert.match(byId(rs, "service")[0]!.what, /not enabled \(disabled\)/);
    assert.ok(calls.includes("systemctl --user is-enabled talon.service"));
    assert.equal(byId(rs, "disk")[0]!.status, "fail", "50 MiB free");
    rs = await runDoctor(deps(home, { unitFiles: [{ scope: "user", path: unit }] }));
    assert.equal(byId(rs, "service")[0]!.status, "ok");
    assert.equal(byId(rs, "disk")[0]!.status, "ok");
    const noDf: CommandRunner = () => Promise.reject(new Deno.errors.NotFound("df"));
    assert.equal(byId(await runDoctor(deps(home, { runner: noDf })), "disk")[0]!.status, "skip");
    assert.equal(
      byId(await runDoctor(deps(home, { now: () => Date.UTC(2020, 0, 1) })), "clock")[0]!.status,
      "fail",
    );
    await Deno.utime(`${home}/talon.json`, new Date(NOW + 3_600_000), new Date(NOW + 3_600_000));
    const clock = byId(await runDoctor(deps(home)), "clock")[0]!;
    assert.equal(clock.status, "fail");
    assert.match(clock.what, /after the current time/);
  });
});

Deno.test("talon doctor: exit 1 on failures, 0 after --fix repaired them, --json output", async () => {
  await withHome({ gateway: { port: 0 } }, async (home) => {
    await Deno.chmod(`${home}/talon.json`, 0o604);
    const cmd = createDoctorCommand({
      runner: dfOk,
      fetch: () => Promise.reject(new Error("offline")),
      now: () => NOW,
    });
    const out: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      env: { TALON_HOME: home, HOME: home },
      interactive: false,
    };
    assert.equal(await cmd.run([], io), EXIT.failure);
    assert.match(
      out.join("\n"),
      /\[FAIL\] .*talon\.json is 0604, should be 0600\n\s+why: .*\n\s+fix: chmod 600/,
    );
    out.length = 0;
    assert.equal(await cmd.run(["--fix", "--json"], io), EXIT.ok);
    const json = JSON.parse(out.join("\n"));
    assert.equal(json.checks.find((c: DoctorResult) => c.id.startsWith("permissions:")).fixed, true);
    assert.equal(await cmd.run(["extra"], io), EXIT.usage);
  });
});

Deno.test("outbox: dead-lettered reply chunks are a warning with the command that shows them", async () => {
  const { createOutboxRepo } = await import("../../src/store/outbox.ts");
  await withHome({ gateway: { port: 0 } }, async (home) => {
    const store = await openStore({ url: `file:${home}/talon.db` });
    const outbox = createOutboxRepo(store.db);
    assert.equal(byId(await runDoctor(deps(home)), "outbox")[0]!.status, "ok");
    const { id } = await outbox.enqueue({
      runId: "run_1",
      chunkIndex: 0,
      target: { channel: "telegram", accountId: "default", to: "direct:1" },
      payload: { text: "hi" },
    });
    await outbox.claimDue(Date.now() + 1, 10);
    await outbox.markFailed(id, "403 Forbidden: bot was blocked by the user", undefined);
    store.close();
    const [finding] = byId(await runDoctor(deps(home)), "outbox");
    assert.equal(finding!.status, "warn");
    assert.match(finding!.what, /1 reply chunk\(s\) in the outbox dead-letter list/);
    assert.match(finding!.fix!, /talon outbox list --state dead/);
  });
});

Deno.test("doctor reports how exec's programs run: confined, unconfined (warn), or refused (fail)", async () => {
  await withHome({}, async (home) => {
    const run = async (status: Awaited<ReturnType<NonNullable<DoctorDeps["confinement"]>>>) =>
      byId(await runDoctor(deps(home, { confinement: () => Promise.resolve(status) })), "confinement")[0];
    const ok = await run({ kind: "bwrap", program: "/usr/bin/bwrap" });
    assert.equal(ok?.status, "ok");
    assert.match(ok!.what, /confined by bubblewrap \(\/usr\/bin\/bwrap\)/);
    const none = await run({ kind: "none", reason: "bwrap was not found on PATH" });
    assert.equal(none?.status, "warn");
    assert.match(none!.what, /exec programs run unconfined: bwrap was not found/);
    assert.match(none!.fix!, /apt-get install bubblewrap/);
    const refused = await run({ kind: "unavailable", reason: "bwrap was not found on PATH" });
    assert.equal(refused?.status, "fail");
    assert.match(refused!.what, /exec calls are refused/);
  });
  await withHome({ tools: { exec: { confine: "off" } } }, async (home) => {
    const [r] = byId(await runDoctor(deps(home)), "confinement");
    assert.equal(r?.status, "warn");
    assert.match(r!.what, /unconfined: tools\.exec\.confine is "off"/);
  });
});
