import assert from "node:assert/strict";
import { PRINCIPAL_KINDS } from "../../src/core/principal.ts";
import {
  CAPABILITIES,
  capabilitiesOf,
  describePrincipal,
  isPromptFile,
  mayApprove,
  mayReachSession,
  weakestPrincipal,
} from "../../src/security/capabilities.ts";
import { ownerIds, principalOfCredential, principalOfSender } from "../../src/security/principal_of.ts";

Deno.test("capability table: one row per principal kind, frozen", () => {
  assert.deepEqual(Object.keys(CAPABILITIES).sort(), [...PRINCIPAL_KINDS].sort());
  assert.ok(Object.isFrozen(CAPABILITIES));
  assert.throws(() => capabilitiesOf("root" as never), RangeError);
});

Deno.test("capability table: only the owner approves; only owner and system reach every session", () => {
  const approvers = PRINCIPAL_KINDS.filter((k) => capabilitiesOf(k).approve);
  assert.deepEqual(approvers, ["owner"]);
  const wide = PRINCIPAL_KINDS.filter((k) => capabilitiesOf(k).sessionReach === "agent");
  assert.deepEqual(wide.sort(), ["owner", "system"]);
  assert.equal(mayApprove(undefined), false, "a run without a principal never approves");
  assert.equal(mayApprove({ kind: "api", id: "credential:x" }), false);
  assert.equal(mayApprove({ kind: "owner" }), true);
});

Deno.test("capability table: prompt files and the agent workspace belong to owner, cron and system runs", () => {
  for (const kind of PRINCIPAL_KINDS) {
    const caps = capabilitiesOf(kind);
    const trusted = kind === "owner" || kind === "cron" || kind === "system";
    assert.equal(caps.writePromptFiles, trusted, kind);
    assert.equal(caps.workspace, trusted ? "agent" : "scratch", kind);
  }
  for (const f of ["AGENTS.md", "./SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md"]) {
    assert.ok(isPromptFile(f));
  }
  assert.equal(isPromptFile("notes/AGENTS.md"), false);
});

Deno.test("capability table: default tools — owner configured, user messaging + read-only, others minimal", () => {
  assert.deepEqual(capabilitiesOf("owner").tools, { kind: "configured" });
  assert.deepEqual(capabilitiesOf("user").tools, {
    kind: "profile",
    profile: "messaging",
    plus: ["read", "list"],
  });
  for (const k of ["group", "hook", "api"] as const) {
    assert.deepEqual(capabilitiesOf(k).tools, { kind: "profile", profile: "minimal", plus: [] });
    assert.equal(capabilitiesOf(k).ownerOnlyTools, false);
  }
});

Deno.test("session reach: others see only their own session and the sub-agents it spawned", () => {
  const own = "agent:main:telegram:group:-1";
  const group = { kind: "group" as const };
  assert.equal(mayReachSession(group, { sessionKey: own }, own), true);
  assert.equal(mayReachSession(group, { sessionKey: "agent:main:main" }, own), false);
  assert.equal(mayReachSession(group, { sessionKey: "agent:main:subagent:1", spawnedBy: own }, own), true);
  assert.equal(
    mayReachSession(group, { sessionKey: "agent:main:subagent:2", spawnedBy: "agent:main:main" }, own),
    false,
  );
  assert.equal(mayReachSession({ kind: "owner" }, { sessionKey: "agent:main:x" }, own), true);
});

Deno.test("a merged turn has the least trusted principal of its messages", () => {
  assert.deepEqual(weakestPrincipal([{ kind: "owner" }, { kind: "group", id: "t:5" }]), {
    kind: "group",
    id: "t:5",
  });
  assert.deepEqual(weakestPrincipal([{ kind: "owner" }, { kind: "user" }]), { kind: "user" });
  assert.equal(weakestPrincipal([{ kind: "owner" }, undefined]), undefined);
  assert.equal(describePrincipal({ kind: "group", id: "telegram:5" }), "group:telegram:5");
  assert.equal(describePrincipal({ kind: "owner" }), "owner");
});

Deno.test("principal of a gateway credential: admin is the owner, write is api", () => {
  assert.deepEqual(principalOfCredential({ id: "c1", scopes: ["admin"] }), {
    kind: "owner",
    id: "credential:c1",
  });
  assert.equal(principalOfCredential({ id: "c2", scopes: new Set(["write", "read"]) }).kind, "api");
});

Deno.test("principal of a channel sender: owners, else allowFrom ids; never * or @username", () => {
  const dm = (senderId: string) => ({ channel: "telegram", senderId, peerKind: "direct" as const });
  const grp = (senderId: string) => ({ channel: "telegram", senderId, peerKind: "group" as const });
  const fallback = { allowFrom: ["42", "*", "@boss"] };
  assert.deepEqual(ownerIds(fallback), ["42"]);
  assert.equal(principalOfSender(fallback, dm("42")).kind, "owner");
  assert.equal(principalOfSender(fallback, dm("43")).kind, "user");
  assert.equal(principalOfSender(fallback, grp("43")).kind, "group");
  assert.equal(principalOfSender(fallback, grp("42")).kind, "owner", "the owner is the owner in groups too");
  const explicit = { owners: ["7"], allowFrom: ["42"] };
  assert.equal(principalOfSender(explicit, dm("42")).kind, "user", "with owners set, allowFrom is not owner");
  assert.equal(principalOfSender(explicit, dm("7")).kind, "owner");
  assert.equal(principalOfSender(undefined, dm("7")).kind, "user");
  assert.equal(principalOfSender(explicit, dm("7")).id, "telegram:7");
});
