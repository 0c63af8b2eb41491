import assert from "node:assert/strict";
import type { InboundMessage } from "../../src/core/types.ts";
import {
  type AccessPolicy,
  evaluateAccess,
  groupRuleFromGroups,
  isCommand,
} from "../../src/channels/access.ts";

const dm = (
  text = "hi",
  sender: InboundMessage["sender"] = { id: "7", username: "Alice" },
): InboundMessage => ({
  channel: "telegram",
  accountId: "default",
  peer: { kind: "direct", id: sender.id },
  sender,
  text,
  messageId: "1",
  ts: 0,
});
const group = (text: string, mentioned: boolean, id = "-100", sender = { id: "7" }): InboundMessage => ({
  ...dm(text, sender),
  peer: { kind: "group", id },
  mentioned,
});
const policy = (
  p: Partial<AccessPolicy> & { groups?: Record<string, { requireMention: boolean; allowFrom?: string[] }> },
): AccessPolicy => ({
  dmPolicy: "pairing",
  allowFrom: [],
  groupPolicy: "allowlist",
  groupRule: groupRuleFromGroups(p.groups ?? {}),
  ...p,
});
const yes = () => Promise.resolve(true);
const no = () => Promise.resolve(false);
const verdict = async (m: InboundMessage, p: AccessPolicy, approved = no) => {
  const d = await evaluateAccess(m, p, approved);
  return d.allow ? "allow" : d.reason;
};

Deno.test("access: dmPolicy pairing asks unknown senders to pair, admits approved and listed ones", async () => {
  assert.equal(await verdict(dm(), policy({})), "pairing-required");
  assert.equal(await verdict(dm(), policy({}), yes), "allow");
  assert.equal(await verdict(dm(), policy({ allowFrom: ["7"] })), "allow");
  assert.equal(await verdict(dm(), policy({ allowFrom: ["@alice"] })), "allow");
});

Deno.test("access: dmPolicy allowlist — an empty list admits nobody, approvals do not count", async () => {
  assert.equal(await verdict(dm(), policy({ dmPolicy: "allowlist" }), yes), "not-allowlisted");
  assert.equal(await verdict(dm(), policy({ dmPolicy: "allowlist", allowFrom: ["8"] })), "not-allowlisted");
  assert.equal(await verdict(dm(), policy({ dmPolicy: "allowlist", allowFrom: ["7"] })), "allow");
  assert.equal(await verdict(dm(), policy({ dmPolicy: "allowlist", allowFrom: ["*"] })), "allow");
});

Deno.test("access: dmPolicy open and disabled; commands only from authorised senders", async () => {
  assert.equal(await verdict(dm(), policy({ dmPolicy: "open" })), "allow");
  assert.equal(await verdict(dm("/new"), policy({ dmPolicy: "open" })), "command-unauthorised");
  assert.equal(await verdict(dm("/new"), policy({ dmPolicy: "open" }), yes), "allow");
  assert.equal(await verdict(dm("/model x"), policy({ dmPolicy: "open", allowFrom: ["7"] })), "allow");
  assert.equal(await verdict(dm(), policy({ dmPolicy: "disabled", allowFrom: ["7"] })), "dm-disabled");
});

Deno.test("access: groupPolicy allowlist, open, disabled and requireMention", async () => {
  const groups = { "-100": { requireMention: true }, "-200": { requireMention: false } };
  assert.equal(await verdict(group("hi", true, "-300"), policy({ groups })), "group-not-allowed");
  assert.equal(await verdict(group("hi", false), policy({ groups })), "mention-required");
  assert.equal(await verdict(group("hi", true), policy({ groups })), "allow");
  assert.equal(await verdict(group("hi", false, "-200"), policy({ groups })), "allow");
  assert.equal(await verdict(group("hi", true, "-300"), policy({ groupPolicy: "open" })), "allow");
  assert.equal(
    await verdict(group("hi", false, "-300"), policy({ groupPolicy: "open" })),
    "mention-required",
  );
  assert.equal(
    await verdict(group("hi", true), policy({ groupPolicy: "disabled", groups })),
    "group-disabled",
  );
  assert.equal(
    await verdict(group("hi", true, "-5"), policy({ groups: { "*": { requireMention: true } } })),
    "allow",
  );
});

Deno.test("access: group allowFrom and group commands", async () => {
  const groups = { "-100": { requireMention: true, allowFrom: ["9"] }, "-200": { requireMention: true } };
  assert.equal(await verdict(group("hi", true), policy({ groups })), "sender-not-allowed");
  assert.equal(await verdict(group("hi", true, "-100", { id: "9" }), policy({ groups })), "allow");
  assert.equal(await verdict(group("/new", false, "-200"), policy({ groups })), "command-unauthorised");
  assert.equal(
    await verdict(group("/new@talon_bot", false, "-200"), policy({ groups, allowFrom: ["7"] })),
    "allow",
  );
});

Deno.test("isCommand recognises commands, not paths or prose", () => {
  assert.equal(isCommand("/new"), true);
  assert.equal(isCommand("  /model gpt"), true);
  assert.equal(isCommand("/new@talon_bot"), true);
  assert.equal(isCommand("/usr/bin is a path"), false);
  assert.equal(isCommand("hello /new"), false);
});
