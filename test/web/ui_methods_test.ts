/** src/gateway/methods/ui_methods.ts against a real gateway: config raw/validate/apply, one-time sign-in. */
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { configIssues, registerUiMethods } from "../../src/gateway/methods/ui_methods.ts";

async function setup() {
  const gw = await startTestGateway();
  let offset = 0;
  let reloads = 0;
  const ui = registerUiMethods(gw.registry, {
    credentials: gw.store.credentials,
    audit: gw.store.audit,
    // RunningGateway does not expose the authenticator; a failed attempt makes it re-read credentials.
    reloadAuth: async () => {
      reloads++;
      await gw.connect({ token: "not-a-valid-token-xxxxxxxx" }).then((c) => c.close(), () => {});
    },
    configFile: `${gw.home}/talon.json`,
    env: { HOME: gw.home, TALON_HOME: gw.home, PORT_FROM_ENV: "7000" },
    now: () => Date.now() + offset,
  });
  return { gw, ui, advance: (ms: number) => void (offset += ms), reloads: () => reloads };
}

Deno.test("configIssues names the path of every problem; env references are resolved first", () => {
  const env = { P: "8080" };
  assert.deepEqual(configIssues({ gateway: { port: 8080 } }, env, "f"), []);
  const issues = configIssues({ gateway: { port: 70000 }, nope: 1 }, env, "f");
  assert.ok(issues.some((i) => i.path === "gateway.port"), JSON.stringify(issues));
  assert.ok(issues.some((i) => i.path === "" && /unknown key "nope"/.test(i.message)));
  const unset = configIssues({ gateway: { bind: "${MISSING_VAR}" } }, env, "f");
  assert.equal(unset.length, 1);
  assert.match(unset[0]!.message, /MISSING_VAR/);
});

Deno.test("config.raw, config.validate and config.apply (validated, atomic, audited)", async () => {
  const { gw } = await setup();
  await using _ = gw;
  const c = await gw.connect();
  try {
    const raw = await c.request("config.raw", {}) as { path: string; raw: Record<string, unknown> };
    assert.equal(raw.path, `${gw.home}/talon.json`);
    assert.deepEqual((raw.raw.gateway as Record<string, unknown>).port, 0);
    const bad = await c.request("config.validate", { raw: { logging: { level: "loud" } } }) as {
      ok: boolean;
      issues: { path: string }[];
    };
    assert.equal(bad.ok, false);
    assert.equal(bad.issues[0]!.path, "logging.level");
    await assert.rejects(
      c.request("config.apply", { raw: { gateway: { port: "x" } } }),
      (e: Error & { code?: string }) => e.code === "INVALID_REQUEST" && /gateway\.port/.test(e.message),
    );
    assert.equal(JSON.parse(await Deno.readTextFile(raw.path)).gateway.port, 0);
    await assert.rejects(c.request("config.apply", { raw: "not an object" }), /Invalid params/);
    const next = { ...raw.raw, logging: { console: false, level: "debug" } };
    const ok = await c.request("config.apply", { raw: next }) as { ok: boolean; restartRequired: boolean };
    assert.equal(ok.ok, true);
    assert.equal(JSON.parse(await Deno.readTextFile(raw.path)).logging.level, "debug");
    assert.equal(JSON.parse(await Deno.readTextFile(`${raw.path}.bak`)).gateway.port, 0);
    const audit = await gw.store.audit.list({ kind: "config.change" });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.outcome, "ok");
  } finally {
    c.close();
  }
});

Deno.test("config.apply needs admin: a read-only credential is refused", async () => {
  const { gw } = await setup();
  await using _ = gw;
  await gw.store.credentials.put({
    name: "viewer",
    kind: "operator",
    scopes: ["read"],
    token: "viewer-token-0123456789",
  });
  const c = await gw.connect({ token: "viewer-token-0123456789" });
  try {
    await assert.rejects(
      c.request("config.apply", { raw: {} }),
      (e: Error & { code?: string }) => e.code === "FORBIDDEN",
    );
    await assert.rejects(
      c.request("ui.signin.create", {}),
      (e: Error & { code?: string }) => e.code === "FORBIDDEN",
    );
  } finally {
    c.close();
  }
});

Deno.test("one-time sign-in: the code works once, gives an expiring session, and expires itself", async () => {
  const { gw, ui, advance } = await setup();
  await using _ = gw;
  const admin = await gw.connect();
  const { code, fragment } = await admin.request("ui.signin.create", {}) as {
    code: string;
    fragment: string;
  };
  assert.equal(fragment, `#signin=${code}`);
  // Only a connection that signed in with a code may redeem.
  await assert.rejects(
    admin.request("ui.signin.redeem", {}),
    (e: Error & { code?: string }) => e.code === "FORBIDDEN",
  );
  const withCode = await gw.connect({ token: code });
  const { token } = await withCode.request("ui.signin.redeem", {}) as { token: string };
  // Redeeming revokes the code; the connection that redeemed it got its answer and is closed after.
  await assert.rejects(withCode.request("health", {}), /Connection closed \(1000/);
  await withCode.close().catch(() => {});
  assert.ok(token && token !== code);
  // A reused link is told so, in words that say what to do.
  await assert.rejects(
    gw.connect({ token: code }),
    /This link was already used — run `talon dashboard` again/,
  );
  const session = await gw.connect({ token });
  const health = await session.request("health", {}) as { ok: boolean };
  assert.equal(health.ok, true);

  // An unused code expires after 60 s.
  const { code: stale } = await admin.request("ui.signin.create", {}) as { code: string };
  admin.close();
  advance(61_000);
  assert.equal(await ui.sweep(), 1);
  await assert.rejects(gw.connect({ token: stale }), /This link has expired — run `talon dashboard` again/);
  // Any other wrong token still gets the plain answer.
  await assert.rejects(gw.connect({ token: "x".repeat(40) }), /gateway token mismatch/);
  // The session expires after 12 h.
  advance(12 * 3600_000);
  assert.equal(await ui.sweep(), 1);
  await assert.rejects(gw.connect({ token }), /Unauthorized|mismatch/i);
  // The open session connection is closed too, not left running on an expired credential.
  await assert.rejects(session.request("health", {}), /1008: credential revoked/);
  await session.close().catch(() => {});
});

Deno.test("config.raw redacts secrets; config.apply keeps a secret sent back redacted, takes a new one", async () => {
  const { gw } = await setup();
  await using _ = gw;
  const file = `${gw.home}/talon.json`;
  const stored = JSON.parse(await Deno.readTextFile(file));
  stored.providers = {
    fake: { api: "openai-chat", baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-very-secret-1" },
  };
  await Deno.writeTextFile(file, JSON.stringify(stored));
  const c = await gw.connect();
  try {
    const raw = await c.request("config.raw", {}) as { raw: { providers: { fake: { apiKey: string } } } };
    assert.equal(raw.raw.providers.fake.apiKey, "[redacted]");
    assert.ok(!JSON.stringify(raw).includes("sk-very-secret-1"));
    const next = { ...raw.raw, logging: { console: false, level: "debug" } };
    await c.request("config.apply", { raw: next });
    const after = JSON.parse(await Deno.readTextFile(file));
    assert.equal(after.providers.fake.apiKey, "sk-very-secret-1", "unchanged secret kept");
    assert.equal(after.logging.level, "debug");
    raw.raw.providers.fake.apiKey = "sk-new-secret-2";
    await c.request("config.apply", { raw: raw.raw });
    assert.equal(JSON.parse(await Deno.readTextFile(file)).providers.fake.apiKey, "sk-new-secret-2");
  } finally {
    c.close();
  }
});
