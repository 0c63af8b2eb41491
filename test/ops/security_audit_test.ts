import assert from "node:assert/strict";
import { auditSecurity, plaintextSecrets } from "../../src/ops/security_audit.ts";
import { loadConfig } from "../../src/config/load.ts";
import { securityCommand } from "../../src/cli/security.ts";
import { EXIT } from "../../src/cli/io.ts";

const TOKEN = "a-long-random-gateway-token-0123456789";

async function withHome(raw: Record<string, unknown>, fn: (home: string) => Promise<void>, mode = 0o600) {
  const home = await Deno.makeTempDir({ prefix: "talon-audit-" });
  try {
    await Deno.chmod(home, 0o700);
    await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(raw), { mode });
    await Deno.chmod(`${home}/talon.json`, mode);
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function audit(home: string, env: Record<string, string> = {}) {
  const loaded = await loadConfig({ env: { TALON_HOME: home, ...env } });
  return await auditSecurity(loaded);
}

const ids = (fs: { id: string }[]) => fs.map((f) => f.id).sort();

Deno.test("a safe config has no findings", async () => {
  await withHome({ gateway: { auth: { token: "${T}" } }, tools: { profile: "messaging" } }, async (home) => {
    assert.deepEqual(await audit(home, { T: TOKEN }), []);
  });
});

Deno.test("non-loopback bind is high; loopback variants are not flagged", async () => {
  await withHome({ gateway: { bind: "0.0.0.0", auth: { token: "${T}" } } }, async (home) => {
    const f = await audit(home, { T: TOKEN });
    assert.deepEqual(ids(f), ["gateway.bind.public"]);
    assert.equal(f[0]!.severity, "high");
  });
  await withHome({ gateway: { bind: "::1", auth: { token: "${T}" } } }, async (home) => {
    assert.deepEqual(await audit(home, { T: TOKEN }), []);
  });
});

Deno.test("open DM policy with exec/file tools is high; with messaging tools it is not flagged", async () => {
  const channels = {
    telegram: { accounts: { main: { botToken: "${TG}", dmPolicy: "open", groupPolicy: "open" } } },
  };
  await withHome({ gateway: { auth: { token: "${T}" } }, channels }, async (home) => {
    const f = await audit(home, { T: TOKEN, TG: "1:x" });
    assert.deepEqual(ids(f), [
      "channels.telegram.accounts.main.dmPolicy.open",
      "channels.telegram.accounts.main.groupPolicy.open",
    ]);
    assert.ok(f.every((x) => x.severity === "high" && x.fix.length > 0 && x.why.length > 0));
  });
  await withHome(
    { gateway: { auth: { token: "${T}" } }, channels, tools: { profile: "messaging" } },
    async (home) => {
      assert.deepEqual(await audit(home, { T: TOKEN, TG: "1:x" }), []);
    },
  );
});

Deno.test("wildcard allowlists, '*' groups and tools.allow '*' are flagged", async () => {
  const raw = {
    gateway: { auth: { token: "${T}" } },
    tools: { profile: "messaging", allow: ["*"] },
    channels: {
      discord: {
        accounts: { d: { botToken: "${D}", allowFrom: ["*"], groups: { "*": { allowFrom: ["*"] } } } },
      },
    },
  };
  await withHome(raw, async (home) => {
    const f = await audit(home, { T: TOKEN, D: "x" });
    assert.deepEqual(ids(f), [
      "channels.discord.accounts.d.allowFrom.wildcard",
      "channels.discord.accounts.d.groups.*.allowFrom.wildcard",
      "channels.discord.accounts.d.groups.wildcard",
      "tools.allow.wildcard",
    ]);
    // tools.allow "*" enables exec, so the wildcard allowlist is high.
    assert.equal(f.find((x) => x.id.endsWith("d.allowFrom.wildcard"))!.severity, "high");
  });
});

Deno.test("approvals off and the test-only loopback switch are high", async () => {
  const raw = {
    gateway: { auth: { token: "${T}" } },
    tools: { exec: { ask: "off" }, web: { testAllowLoopback: true } },
  };
  await withHome(raw, async (home) => {
    const f = await audit(home, { T: TOKEN });
    assert.deepEqual(ids(f), ["tools.exec.ask.off", "tools.web.testAllowLoopback"]);
    assert.ok(f.every((x) => x.severity === "high"));
  });
});

Deno.test("short gateway tokens (config or token file) and short hooks tokens are flagged", async () => {
  await withHome(
    { gateway: { auth: { token: "${T}" } }, hooks: { enabled: true, token: "${H}" } },
    async (home) => {
      // A short gateway token in the config is a config error (see load_test); one in the token file is a finding.
      await Deno.mkdir(`${home}/credentials`, { mode: 0o700 });
      const f = await audit(home, { T: "a-long-random-gateway-token-0123456789", H: "sixteen-chars-xx" });
      assert.deepEqual(ids(f), ["hooks.token.short"]);
    },
  );
  await withHome({}, async (home) => {
    await Deno.mkdir(`${home}/credentials`, { mode: 0o700 });
    await Deno.writeTextFile(`${home}/credentials/gateway-token`, "short-token\n", { mode: 0o600 });
    assert.deepEqual(ids(await audit(home)), ["gateway.auth.token.short"]);
  });
  await withHome({}, async (home) => {
    assert.deepEqual(await audit(home), [], "no token yet is not a finding");
  });
});

Deno.test("world/group readable state files are flagged high/medium", async () => {
  await withHome({ gateway: { auth: { token: "${T}" } } }, async (home) => {
    await Deno.mkdir(`${home}/credentials`, { mode: 0o750 });
    await Deno.chmod(`${home}/credentials`, 0o750);
    await Deno.writeTextFile(`${home}/talon.db`, "", { mode: 0o600 });
    const f = await audit(home, { T: TOKEN });
    assert.deepEqual(ids(f), [
      `state.permissions:${home}/credentials`,
      `state.permissions:${home}/talon.json`,
    ]);
    assert.equal(f.find((x) => x.id.endsWith("talon.json"))!.severity, "high");
    assert.equal(f.find((x) => x.id.endsWith("credentials"))!.severity, "medium");
  }, 0o644);
});

Deno.test("plaintext secrets are found in the raw file, not in the substituted config", async () => {
  const raw = {
    gateway: { auth: { token: "${T}" } },
    providers: {
      openai: { api: "openai-chat", apiKey: "sk-literal-key-1234567890" },
      ok: { api: "echo", apiKey: "${K}" },
    },
    channels: { telegram: { accounts: { main: { botToken: "123:literal" } } } },
  };
  await withHome(raw, async (home) => {
    const f = await audit(home, { T: TOKEN, K: "substituted-secret" });
    assert.deepEqual(ids(f), [
      "config.plaintext:channels.telegram.accounts.main.botToken",
      "config.plaintext:providers.openai.apiKey",
    ]);
    assert.match(f.find((x) => x.id.endsWith("openai.apiKey"))!.fix, /\$\{PROVIDERS_OPENAI_API_KEY\}/);
  });
  assert.deepEqual(plaintextSecrets({ list: [{ password: "x" }] }).map((x) => x.id), [
    "config.plaintext:list.0.password",
  ]);
});

Deno.test("talon security audit: exit 1 on high findings, 0 otherwise, --json output", async () => {
  await withHome({ gateway: { bind: "0.0.0.0", auth: { token: "${T}" } } }, async (home) => {
    const out: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      env: { TALON_HOME: home, T: TOKEN },
      interactive: false,
    };
    assert.equal(await securityCommand.run(["audit"], io), EXIT.failure);
    assert.match(out.join("\n"), /\[HIGH\] gateway\.bind\.public/);
    out.length = 0;
    assert.equal(await securityCommand.run(["audit", "--json"], io), EXIT.failure);
    assert.equal(JSON.parse(out.join("\n")).findings[0].id, "gateway.bind.public");
    assert.equal(await securityCommand.run(["nope"], io), EXIT.usage);
  });
  await withHome(
    { gateway: { auth: { token: "${T}" } }, hooks: { enabled: true, token: "${H}" } },
    async (home) => {
      const out: string[] = [];
      const io = {
        out: (t: string) => out.push(t),
        err: (t: string) => out.push(t),
        env: { TALON_HOME: home, T: TOKEN, H: "sixteen-chars-xx" },
        interactive: false,
      };
      assert.equal(await securityCommand.run(["audit"], io), EXIT.ok, "medium only");
      assert.match(out.join("\n"), /\[MEDIUM\] hooks\.token\.short/);
    },
  );
});

Deno.test("exec without OS confinement is high when exec is enabled; a required but broken bwrap is medium", async () => {
  await withHome(
    { gateway: { auth: { token: "${T}" } }, tools: { exec: { confine: "off" } } },
    async (home) => {
      const f = await audit(home, { T: TOKEN });
      assert.deepEqual(ids(f), ["tools.exec.confine.off"]);
      assert.equal(f[0]!.severity, "high");
      assert.match(f[0]!.what, /exec programs run unconfined: tools\.exec\.confine is "off"/);
    },
  );
  await withHome({ gateway: { auth: { token: "${T}" } } }, async (home) => {
    const loaded = await loadConfig({ env: { TALON_HOME: home, T: TOKEN } });
    const missing = await auditSecurity({
      ...loaded,
      confinement: { kind: "none", reason: "bwrap was not found on PATH" },
    });
    assert.deepEqual(ids(missing), ["tools.exec.unconfined"]);
    assert.match(missing[0]!.fix, /apt-get install bubblewrap/);
    const broken = await auditSecurity({ ...loaded, confinement: { kind: "unavailable", reason: "x" } });
    assert.deepEqual(broken.map((x) => [x.id, x.severity]), [["tools.exec.confine.unavailable", "medium"]]);
    assert.deepEqual(
      await auditSecurity({ ...loaded, confinement: { kind: "bwrap", program: "/usr/bin/bwrap" } }),
      [],
    );
  });
  // No exec, no finding.
  await withHome({
    gateway: { auth: { token: "${T}" } },
    tools: { profile: "messaging", exec: { confine: "off" } },
  }, async (home) => {
    assert.deepEqual(await audit(home, { T: TOKEN }), []);
  });
});
