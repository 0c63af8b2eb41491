import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { principalFindings } from "../../src/ops/audit_principals.ts";

const cfg = (raw: Record<string, unknown>) => validateConfig(raw, { env: {}, file: "t.json" });
const tg = (account: Record<string, unknown>) => ({
  channels: { telegram: { accounts: { default: { botToken: "x", ...account } } } },
});

Deno.test("audit: owners unset with allowFrom ids says those senders count as owner", () => {
  const f = principalFindings(cfg(tg({ allowFrom: ["42", "*"] })));
  assert.deepEqual(f.map((x) => x.id), ["channels.telegram.accounts.default.owners.unset"]);
  assert.match(f[0]!.what, /\(42\)/);
  assert.deepEqual(principalFindings(cfg(tg({ allowFrom: ["42"], owners: ["42"] }))), []);
  assert.deepEqual(principalFindings(cfg(tg({}))), [], "no allowFrom ids: nobody is owner, nothing to say");
});

Deno.test("audit: group chats enabled with tools beyond minimal", () => {
  const groups = { groups: { "-100": { requireMention: true } }, owners: [] };
  assert.deepEqual(principalFindings(cfg(tg(groups))), [], "default minimal is fine");
  const wide = principalFindings(
    cfg({ ...tg(groups), tools: { byPrincipal: { group: { profile: "coding" } } } }),
  );
  assert.deepEqual(wide.map((x) => [x.id, x.severity]), [["tools.byPrincipal.group.widened", "high"]]);
  const msg = principalFindings(
    cfg({ ...tg(groups), tools: { byPrincipal: { group: { allow: ["message"] } } } }),
  );
  assert.deepEqual(msg.map((x) => x.severity), ["medium"]);
  const off = principalFindings(
    cfg({
      ...tg({ ...groups, groupPolicy: "disabled" }),
      tools: { byPrincipal: { group: { profile: "full" } } },
    }),
  );
  assert.deepEqual(off, [], "groups disabled: widening does not matter");
});

Deno.test("audit: hooks with a session prefix; high when it reaches a main session", () => {
  const hooks = (allowSessionPrefixes: string[]) =>
    cfg({ hooks: { enabled: true, token: "0123456789abcdef0123", allowSessionPrefixes } });
  assert.deepEqual(principalFindings(hooks([])), []);
  assert.deepEqual(principalFindings(hooks(["hook:"])).map((x) => x.severity), ["medium"]);
  assert.deepEqual(principalFindings(hooks(["agent:main:"])).map((x) => x.severity), ["high"]);
});

Deno.test("onboard owner ids: exact ids only, never * or @username", async () => {
  const { parseOwnerIds } = await import("../../src/ops/onboard.ts");
  assert.deepEqual(parseOwnerIds(" 12, 34 56 "), ["12", "34", "56"]);
  assert.deepEqual(parseOwnerIds(""), []);
  assert.throws(() => parseOwnerIds("12, *"), TypeError);
  assert.throws(() => parseOwnerIds("@boss"), /numeric sender id/);
});

Deno.test("audit: a WhatsApp account without owners names the allowFrom numbers (as E.164) as owners", () => {
  const wa = (account: Record<string, unknown>) => ({
    channels: { whatsapp: { accounts: { phone: account } } },
  });
  const f = principalFindings(cfg(wa({ allowFrom: ["+1 555 000 1111"] })));
  assert.deepEqual(f.map((x) => x.id), ["channels.whatsapp.accounts.phone.owners.unset"]);
  assert.match(f[0]!.what, /\(\+15550001111\)/);
  assert.deepEqual(principalFindings(cfg(wa({ allowFrom: ["+15550001111"], owners: ["15550001111"] }))), []);
});
