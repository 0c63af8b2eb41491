import assert from "node:assert/strict";
import { isOwnerSource } from "../../src/app/services.ts";
import { isOwnerSession } from "../../src/app/agent_tools.ts";
import { validateConfig } from "../../src/config/load.ts";

const config = validateConfig({
  channels: {
    telegram: { accounts: { default: { botToken: "x", dmPolicy: "pairing", allowFrom: ["42"] } } },
  },
}, { env: {}, file: "t.json" });

Deno.test("owner sources: operator surfaces and explicitly allow-listed chat senders only", () => {
  const cases: [Record<string, unknown> & { channel: string }, boolean][] = [
    [{ channel: "webchat" }, true],
    [{ channel: "gateway" }, true],
    [{ channel: "http" }, true],
    [{ channel: "telegram", accountId: "default", senderId: "42" }, true],
    [{ channel: "telegram", accountId: "default", senderId: "43" }, false], // approved by pairing is not owner
    [{ channel: "telegram", accountId: "other", senderId: "42" }, false],
    [{ channel: "discord", senderId: "42" }, false],
    [{ channel: "hook" }, false],
    [{ channel: "cron" }, false],
  ];
  for (const [source, owner] of cases) {
    assert.equal(isOwnerSource(config, source), owner, JSON.stringify(source));
  }
});

Deno.test("owner sessions for the cron tool: main sessions and operator channels", () => {
  assert.equal(isOwnerSession({ sessionKey: "agent:main:main" }), true);
  assert.equal(isOwnerSession({ sessionKey: "agent:main:telegram:direct:5", channel: "telegram" }), false);
  assert.equal(isOwnerSession({ sessionKey: "agent:main:webchat:direct:c1", channel: "webchat" }), true);
  assert.equal(isOwnerSession({ sessionKey: "agent:main:telegram:group:-100", channel: "telegram" }), false);
});
