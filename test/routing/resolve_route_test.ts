import assert from "node:assert/strict";
import { type ConfigInput, configSchema } from "../../src/config/schema.ts";
import { resolveRoute, type RouteInput } from "../../src/routing/resolve_route.ts";

const agents = {
  list: [{ id: "main" }, { id: "work" }, { id: "ops" }, { id: "mods" }],
  defaultAgent: "main",
};
const links = { alice: ["telegram:111", "discord:999"] };
const tg = (id = "111"): Partial<RouteInput> => ({ peer: { kind: "direct", id } });
const dc = (
  kind: "direct" | "group" | "channel",
  id: string,
  extra: Partial<RouteInput> = {},
): Partial<RouteInput> => ({
  channel: "discord",
  accountId: "bot1",
  peer: { kind, id },
  ...extra,
});
const b = (agentId: string, match: Record<string, unknown>) => ({ agentId, match });

/** [name, config, inbound overrides, agentId, sessionKey]. Adding a case is one line. */
// deno-fmt-ignore
const CASES: Array<[string, ConfigInput, Partial<RouteInput>, string, string]> = [
  ["dmScope per-channel-peer (default)", {}, tg(), "main", "agent:main:telegram:direct:111"],
  ["dmScope main (one shared session)", { session: { dmScope: "main" } }, tg(), "main", "agent:main:main"],
  ["dmScope per-peer", { session: { dmScope: "per-peer" } }, tg(), "main", "agent:main:direct:111"],
  ["dmScope per-channel-peer", { session: { dmScope: "per-channel-peer" } }, tg(), "main", "agent:main:telegram:direct:111"],
  ["dmScope per-account-channel-peer", { session: { dmScope: "per-account-channel-peer" } }, tg(), "main", "agent:main:telegram:default:direct:111"],
  ["identity link telegram", { session: { dmScope: "per-peer", identityLinks: links } }, tg("111"), "main", "agent:main:direct:alice"],
  ["identity link discord same person", { session: { dmScope: "per-peer", identityLinks: links } }, dc("direct", "999"), "main", "agent:main:direct:alice"],
  ["identity link, unlisted peer", { session: { dmScope: "per-peer", identityLinks: links } }, tg("222"), "main", "agent:main:direct:222"],
  ["identity link with channel scope", { session: { dmScope: "per-channel-peer", identityLinks: links } }, dc("direct", "999"), "main", "agent:main:discord:direct:alice"],
  ["group ignores dmScope", { session: { dmScope: "main" } }, { peer: { kind: "group", id: "-100" } }, "main", "agent:main:telegram:group:-100"],
  ["forum topic thread", {}, { peer: { kind: "group", id: "-100" }, threadId: "7" }, "main", "agent:main:telegram:group:-100:thread:7"],
  ["discord channel", {}, dc("channel", "c1"), "main", "agent:main:discord:channel:c1"],
  ["discord thread", {}, dc("channel", "c1", { threadId: "t9" }), "main", "agent:main:discord:channel:c1:thread:t9"],
  ["channel binding", { bindings: [b("work", { channel: "discord" })] }, dc("channel", "c1"), "work", "agent:work:discord:channel:c1"],
  ["channel binding other channel", { bindings: [b("work", { channel: "discord" })] }, tg(), "main", "agent:main:telegram:direct:111"],
  ["account beats channel", { bindings: [b("work", { channel: "discord" }), b("ops", { channel: "discord", accountId: "bot1" })] }, dc("channel", "c1"), "ops", "agent:ops:discord:channel:c1"],
  ["guild beats account", { bindings: [b("work", { accountId: "bot1" }), b("ops", { guildId: "g1" })] }, dc("channel", "c1", { guildId: "g1" }), "ops", "agent:ops:discord:channel:c1"],
  ["guild+roles beats guild", { bindings: [b("work", { guildId: "g1" }), b("mods", { guildId: "g1", roles: ["r-mod"] })] }, dc("channel", "c1", { guildId: "g1", roles: ["r-x", "r-mod"] }), "mods", "agent:mods:discord:channel:c1"],
  ["guild+roles without the role", { bindings: [b("work", { guildId: "g1" }), b("mods", { guildId: "g1", roles: ["r-mod"] })] }, dc("channel", "c1", { guildId: "g1", roles: ["r-x"] }), "work", "agent:work:discord:channel:c1"],
  ["peer beats guild+roles", { bindings: [b("mods", { guildId: "g1", roles: ["r-mod"] }), b("ops", { peer: { kind: "channel", id: "c1" } })] }, dc("channel", "c1", { guildId: "g1", roles: ["r-mod"] }), "ops", "agent:ops:discord:channel:c1"],
  ["peer binding, other peer", { bindings: [b("ops", { peer: { kind: "channel", id: "c1" } })] }, dc("channel", "c2"), "main", "agent:main:discord:channel:c2"],
  ["first match within a tier", { bindings: [b("work", { channel: "telegram" }), b("ops", { channel: "telegram" })] }, tg(), "work", "agent:work:telegram:direct:111"],
  ["peer binding on a DM", { session: { dmScope: "per-channel-peer" }, bindings: [b("ops", { peer: { kind: "direct", id: "111" } })] }, tg(), "ops", "agent:ops:telegram:direct:111"],
  ["empty match is a catch-all", { bindings: [b("work", {})] }, tg(), "work", "agent:work:telegram:direct:111"],
  ["channel beats catch-all", { bindings: [b("work", {}), b("ops", { channel: "telegram" })] }, tg(), "ops", "agent:ops:telegram:direct:111"],
  ["unknown agent falls back", { bindings: [b("ghost", { channel: "telegram" })] }, tg(), "main", "agent:main:telegram:direct:111"],
  ["default agent from config", { agents: { ...agents, defaultAgent: "work" } }, tg(), "work", "agent:work:telegram:direct:111"],
  ["account wildcard is channel tier", { bindings: [b("work", { channel: "telegram", accountId: "*" }), b("ops", { accountId: "default" })] }, tg(), "ops", "agent:ops:telegram:direct:111"],
  ["webchat client per-channel-peer", { session: { dmScope: "per-channel-peer" } }, { channel: "webchat", peer: { kind: "direct", id: "ui-1" } }, "main", "agent:main:webchat:direct:ui-1"],
];

for (const [name, cfg, overrides, agentId, sessionKey] of CASES) {
  Deno.test(`resolveRoute: ${name}`, () => {
    const config = configSchema.parse({ agents, ...cfg });
    const inbound: RouteInput = {
      channel: "telegram",
      accountId: "default",
      peer: { kind: "direct", id: "111" },
      sender: { id: overrides.peer?.id ?? "111" },
      ...overrides,
    };
    const route = resolveRoute(inbound, config);
    assert.equal(route.agentId, agentId);
    assert.equal(route.sessionKey, sessionKey);
  });
}

Deno.test("resolveRoute is pure: same input, same output, input untouched", () => {
  const config = configSchema.parse({ agents, bindings: [b("work", { channel: "telegram" })] });
  const inbound: RouteInput = {
    channel: "telegram",
    accountId: "a",
    peer: { kind: "group", id: "g" },
    sender: { id: "1" },
  };
  const copy = structuredClone(inbound);
  assert.deepEqual(resolveRoute(inbound, config), resolveRoute(inbound, config));
  assert.deepEqual(inbound, copy);
  assert.equal(resolveRoute(inbound, config).matchedBy, "channel");
});
