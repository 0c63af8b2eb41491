import assert from "node:assert/strict";
import { channelPrincipal } from "../../src/app/channels.ts";
import { turnPrincipal } from "../../src/app/agent_job_worker.ts";
import { validateConfig } from "../../src/config/load.ts";
import type { InboundMessage } from "../../src/core/types.ts";

const config = validateConfig({
  channels: {
    telegram: { accounts: { default: { botToken: "x", owners: ["1"], allowFrom: ["1", "2"] } } },
  },
}, { env: {}, file: "t.json" });

const msg = (sender: string, kind: "direct" | "group"): InboundMessage => ({
  channel: "telegram",
  accountId: "default",
  peer: { kind, id: kind === "direct" ? sender : "-100" },
  sender: { id: sender },
  text: "hi",
  messageId: "m1",
  ts: 0,
});

Deno.test("channel principal: owners, listed DM users, group members, open-policy strangers", () => {
  assert.deepEqual(channelPrincipal(config, msg("1", "direct"), { authorised: true }), {
    kind: "owner",
    id: "telegram:1",
  });
  assert.equal(channelPrincipal(config, msg("2", "direct"), { authorised: true }).kind, "user");
  assert.equal(channelPrincipal(config, msg("9", "direct"), { authorised: false }).kind, "group");
  assert.equal(channelPrincipal(config, msg("9", "group"), { authorised: false }).kind, "group");
  assert.equal(
    channelPrincipal(config, { ...msg("1", "direct"), accountId: "other" }, undefined).kind,
    "group",
  );
});

Deno.test("a merged turn runs as its least trusted message; a message without a principal as group", () => {
  const job = (...principals: unknown[]) => ({
    messages: principals.map((principal, i) => ({
      id: String(i),
      runId: `r${i}`,
      payload: { agentId: "main", text: "t", source: { channel: "x" }, principal },
      summary: "",
      receivedAt: 0,
    })),
  });
  assert.deepEqual(turnPrincipal(job({ kind: "owner" }) as never), { kind: "owner" });
  assert.equal(turnPrincipal(job({ kind: "owner" }, { kind: "group", id: "t:9" }) as never).kind, "group");
  assert.deepEqual(turnPrincipal(job({ kind: "owner" }, undefined) as never), { kind: "group" });
});
