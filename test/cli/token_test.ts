/** `talon token`: scoped gateway credentials in the store, and `credentials.reload` on the running gateway. */
import assert from "node:assert/strict";
import { parseScopes } from "../../src/cli/token.ts";
import { GatewayRequestError } from "../../src/gateway/client.ts";
import { registerTokenMethods } from "../../src/gateway/methods/token_methods.ts";
import { fileUrl, openStore } from "../../src/store/mod.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";

/** Registers `credentials.reload` when the composition root has not (yet); counts reloads either way. */
function ensureReload(gw: TestGateway): { reloads(): number } {
  let reloads = 0;
  if (!gw.registry.get("credentials.reload")) {
    registerTokenMethods(gw.registry, {
      // RunningGateway does not expose the authenticator; a failed attempt makes it re-read credentials.
      reload: async () => {
        reloads++;
        await gw.connect({ token: "not-a-valid-token-xxxxxxxx" }).then((c) => c.close(), () => {});
      },
    });
  } else {
    const original = gw.registry.get("credentials.reload")!;
    const handler = original.handler;
    original.handler = (p, ctx) => {
      reloads++;
      return handler(p, ctx);
    };
  }
  return { reloads: () => reloads };
}

Deno.test("parseScopes: a higher scope includes the lower ones; unknown and empty are refused", () => {
  assert.deepEqual(parseScopes("read"), ["read"]);
  assert.deepEqual(parseScopes("write"), ["read", "write"]);
  assert.deepEqual(parseScopes("read, admin"), ["read", "write", "admin"]);
  assert.throws(() => parseScopes("root"), /unknown scope "root"; scopes are read, write, admin/);
  assert.throws(() => parseScopes(" , "), /--scopes is empty/);
});

Deno.test("talon token works offline on the store: create (token shown once, hash stored), list, revoke", async () => {
  await using home = await tempHome();
  const env = testEnv(`${home.dir}/state`, { TALON_PORT: "1" });
  const created = await cli(["token", "create", "--name", "ci bot", "--scopes", "read,write", "--json"], env);
  assert.equal(created.code, 0, created.err);
  const c = JSON.parse(created.out) as { id: string; token: string; scopes: string[]; gateway: string };
  assert.deepEqual(c.scopes, ["read", "write"]);
  assert.ok(c.token.length >= 40);
  assert.match(c.gateway, /No running gateway was reached/);
  assert.equal((await Deno.stat(`${home.dir}/state/talon.db`)).mode! & 0o077, 0, "the store is owner-only");

  const store = await openStore({ url: fileUrl(`${home.dir}/state/talon.db`) });
  try {
    const found = await store.credentials.findByToken(c.token);
    assert.equal(found?.id, c.id);
    assert.equal(found?.name, "ci bot");
    const hashes = await store.credentials.listHashes();
    assert.ok(hashes.every((h) => h.hash !== c.token), "only a hash is stored");
  } finally {
    store.close();
  }
  const text = await cli(["token", "create", "--name", "viewer", "--scopes", "read"], env);
  assert.match(
    text.out,
    /Created cred_\w+ "viewer" with scopes read\.\nToken \(shown once, store it now\): \S{40,}/,
  );

  const list = await cli(["token", "list"], env);
  assert.equal(list.code, 0);
  assert.match(
    list.out,
    new RegExp(`${c.id} {2}ci bot {2}\\(operator; read,write\\) {2}created \\d+s ago {2}last used never`),
  );
  assert.ok(!list.out.includes(c.token), "list never shows a token");
  assert.equal(JSON.parse((await cli(["token", "list", "--json"], env)).out).length, 2);

  const revoked = await cli(["token", "revoke", c.id], env);
  assert.equal(revoked.code, 0, revoked.err);
  assert.match(revoked.out, new RegExp(`Revoked ${c.id}\\.`));
  const again = await cli(["token", "revoke", c.id], env);
  assert.equal(again.code, 1);
  assert.match(again.err, new RegExp(`no live credential ${c.id}`));
  const names = JSON.parse((await cli(["token", "list", "--json"], env)).out).map((x: { name: string }) =>
    x.name
  );
  assert.deepEqual(names, ["viewer"]);
});

Deno.test("talon token: usage errors exit 2; the gateway token cannot be revoked", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir, { TALON_PORT: "1" });
  const cases: [string[], RegExp][] = [
    [["token"], /expected a subcommand/],
    [["token", "mint"], /unknown subcommand "mint"/],
    [["token", "create", "--scopes", "read"], /--name is required/],
    [["token", "create", "--name", "  ", "--scopes", "read"], /--name is required/],
    [["token", "create", "--name", "x".repeat(101), "--scopes", "read"], /--name is longer than 100/],
    [["token", "create", "--name", "a"], /--scopes is required/],
    [["token", "create", "--name", "a", "--scopes", "read,sudo"], /unknown scope "sudo"/],
    [["token", "create", "extra", "--name", "a", "--scopes", "read"], /unexpected argument "extra"/],
    [["token", "list", "--scopes", "read"], /--name and --scopes only go with create/],
    [["token", "revoke"], /expected a credential id/],
    [["token", "revoke", "a", "b"], /unexpected argument "b"/],
    [["token", "list", "--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, env);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
  }
  const gateway = await cli(["token", "revoke", "gateway"], env);
  assert.equal(gateway.code, 1);
  assert.match(gateway.err, /the gateway token cannot be revoked/);
  assert.equal(
    JSON.parse((await cli(["token", "list", "--json"], env)).out).length,
    0,
    "nothing was created",
  );
});

Deno.test("talon token against a running gateway: a read-only token gets read only and is refused after revoke", async () => {
  await using gw = await startTestGateway();
  const counter = ensureReload(gw);
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });
  const created = await cli(["token", "create", "--name", "dash", "--scopes", "read"], env);
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /The running gateway reloaded its credentials\./);
  const token = /Token \(shown once, store it now\): (\S+)/.exec(created.out)![1]!;
  const id = /Created (cred_\w+)/.exec(created.out)![1]!;

  const client = await gw.connect({ token });
  try {
    const auth = client.hello.auth as { scopes: string[]; credential: string };
    assert.deepEqual(auth.scopes, ["read"]);
    assert.equal(auth.credential, "dash");
    await client.request("health");
    await assert.rejects(client.request("credentials.reload"), (e: GatewayRequestError) => {
      assert.equal(e.code, "FORBIDDEN");
      return true;
    });
    await assert.rejects(
      client.request("sessions.reset", { sessionKey: "agent:main:main" }),
      /requires the write scope/,
    );
  } finally {
    await client.close();
  }
  const listed = await cli(["token", "list"], env);
  assert.match(listed.out, new RegExp(`${id} {2}dash {2}\\(operator; read\\)`));

  const before = counter.reloads();
  const revoked = await cli(["token", "revoke", id], env);
  assert.equal(revoked.code, 0, revoked.err);
  assert.match(revoked.out, /The running gateway reloaded its credentials\./);
  assert.equal(counter.reloads(), before + 1, "the CLI asked the gateway to reload");
  await assert.rejects(gw.connect({ token }), /token mismatch/);

  const viewerReload = await cli(["token", "create", "--name", "v2", "--scopes", "read", "--json"], env);
  const v2 = JSON.parse(viewerReload.out) as { token: string };
  const asViewer = await cli(["token", "list"], { ...env, TALON_TOKEN: v2.token });
  assert.equal(asViewer.code, 0, "listing reads the store, not the gateway");
  const refusedReload = await cli(["token", "create", "--name", "v3", "--scopes", "read"], {
    ...env,
    TALON_TOKEN: v2.token,
  });
  assert.equal(refusedReload.code, 0);
  assert.match(refusedReload.out, /did not reload its credentials \(GatewayRequestError: .*admin/);
});

Deno.test("revoking a token closes the connections opened with it; others stay up", async () => {
  await using gw = await startTestGateway();
  ensureReload(gw);
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });
  const created = await cli(["token", "create", "--name", "laptop", "--scopes", "write", "--json"], env);
  assert.equal(created.code, 0, created.err);
  const { token, id } = JSON.parse(created.out) as { token: string; id: string };
  const laptop = await gw.connect({ token });
  const admin = await gw.connect();
  try {
    await laptop.request("health");
    const revoked = await cli(["token", "revoke", id], env);
    assert.equal(revoked.code, 0, revoked.err);
    await assert.rejects(laptop.request("health"), /1008: credential revoked/);
    await admin.request("health");
  } finally {
    await laptop.close().catch(() => {});
    await admin.close();
  }
});
