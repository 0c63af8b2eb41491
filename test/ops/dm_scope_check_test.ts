import assert from "node:assert/strict";
import { configSchema } from "../../src/config/schema.ts";
import { loadConfig } from "../../src/config/load.ts";
import { auditSecurity } from "../../src/ops/security_audit.ts";
import { runDoctor } from "../../src/ops/doctor.ts";
import { resolveRoute } from "../../src/routing/resolve_route.ts";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";

const TOKEN = "a-long-random-gateway-token-0123456789";
const telegram = (account: Record<string, unknown>) => ({
  channels: { telegram: { accounts: { default: { botToken: "t", ...account } } } },
});

Deno.test("dmScope defaults to per-channel-peer: two DM senders get two sessions", () => {
  const config = configSchema.parse({});
  assert.equal(config.session.dmScope, "per-channel-peer");
  const dm = (id: string) => ({
    channel: "telegram",
    accountId: "default",
    peer: { kind: "direct" as const, id },
    sender: { id },
    text: "hi",
    messageId: "1",
    receivedAt: 0,
  });
  const a = resolveRoute(dm("1"), config).sessionKey;
  const b = resolveRoute(dm("2"), config).sessionKey;
  assert.notEqual(a, b);
  assert.equal(a, "agent:main:telegram:direct:1");
});

async function withHome(raw: Record<string, unknown>, fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "talon-dmscope-" });
  try {
    await Deno.chmod(home, 0o700);
    await Deno.writeTextFile(`${home}/talon.json`, JSON.stringify(raw), { mode: 0o600 });
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("security audit and doctor warn about dmScope main with more than one allowed sender", async () => {
  const cases: [Record<string, unknown>, boolean][] = [
    [{ session: { dmScope: "main" }, ...telegram({ dmPolicy: "allowlist", allowFrom: ["1"] }) }, false],
    [{ session: { dmScope: "main" }, ...telegram({ dmPolicy: "allowlist", allowFrom: ["1", "2"] }) }, true],
    [{ session: { dmScope: "main" }, ...telegram({ dmPolicy: "open" }) }, true],
    [{ ...telegram({ dmPolicy: "allowlist", allowFrom: ["1", "2"] }) }, false],
  ];
  for (const [raw, warned] of cases) {
    await withHome({ gateway: { auth: { token: "${T}" } }, ...raw }, async (home) => {
      const env = { TALON_HOME: home, T: TOKEN };
      const findings = await auditSecurity(await loadConfig({ env }));
      assert.equal(findings.some((f) => f.id === "session.dmScope.main"), warned, JSON.stringify(raw));
      const doctor = await runDoctor({
        env,
        fix: false,
        runner: () => Promise.resolve({ code: 0, stdout: "", stderr: "" }),
        fetch: () => Promise.reject(new Error("offline")),
        now: () => Date.now(),
        online: false,
        unitFiles: [],
        browserCandidates: [],
      });
      const r = doctor.find((d) => d.id.startsWith("session.dmScope"));
      assert.equal(r?.status, warned ? "warn" : "ok", JSON.stringify(raw));
    });
  }
});

Deno.test("security audit counts senders approved by pairing in the store", async () => {
  await withHome(
    {
      gateway: { auth: { token: "${T}" } },
      session: { dmScope: "main" },
      ...telegram({ dmPolicy: "pairing" }),
    },
    async (home) => {
      const env = { TALON_HOME: home, T: TOKEN };
      const loaded = await loadConfig({ env });
      const store = await openStore({ url: `file:${loaded.paths.dbFile}` });
      const pairing = createPairingRepo(store.db);
      await pairing.grant("telegram", "default", "1");
      store.close();
      let findings = await auditSecurity(loaded);
      assert.ok(!findings.some((f) => f.id === "session.dmScope.main"), "one approved sender is fine");
      const again = await openStore({ url: `file:${loaded.paths.dbFile}` });
      await createPairingRepo(again.db).grant("telegram", "default", "2");
      again.close();
      findings = await auditSecurity(loaded);
      const f = findings.find((x) => x.id === "session.dmScope.main");
      assert.match(f?.what ?? "", /2 senders/);
    },
  );
});
