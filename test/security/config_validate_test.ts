// Attack: a read-scoped client asks `config.validate` about `${VAR}` references. Before the fix the
// answer was computed with the environment substituted, so it told which variables exist (an unset one is
// an error) and bounds on their length (e.g. gateway.auth.token needs 16 characters).
// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";

Deno.test("config.validate below admin does not substitute the environment", async () => {
  await using gw = await startTestGateway();
  await gw.store.credentials.put({
    name: "reader",
    kind: "operator",
    scopes: ["read"],
    token: "reader-token-1234567890",
  });
  await gw.auth.reload();
  const reader = await gw.connect({ token: "reader-token-1234567890" });
  const admin = await gw.connect();
  try {
    const ask = (c: typeof reader, v: string) =>
      c.request<any>("config.validate", {
        raw: { gateway: { bind: `\${${v}}`, auth: { token: `\${${v}}` } } },
      });
    // TALON_HOME is set in the gateway's environment (a path shorter than a token must be); TALON_HOMX,
    // a name of the same length, is not.
    const set = await ask(reader, "TALON_HOME");
    const unset = await ask(reader, "TALON_HOMX");
    assert.deepEqual(set, unset, "the same answer whether the variable exists or not");
    assert.ok(!JSON.stringify(set).includes(gw.home), "no value of the environment in the answer");
    assert.ok(!/not set|unset|TALON_HOM/.test(JSON.stringify(set.issues)), JSON.stringify(set.issues));
    // An admin still gets the check the gateway would do at load time.
    const adminUnset = await ask(admin, "TALON_NOT_SET_123");
    assert.equal(adminUnset.ok, false);
    assert.match(JSON.stringify(adminUnset.issues), /TALON_NOT_SET_123/);
  } finally {
    await reader.close();
    await admin.close();
  }
});
