import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import { createPairingMethods } from "../../src/channels/pairing_methods.ts";
import { createChannelMethods } from "../../src/channels/channel_methods.ts";
import { createChannelRegistry, parseTarget } from "../../src/channels/registry.ts";
import { renderChannelStatus } from "../../src/cli/channels.ts";
import { runPairing } from "../../src/cli/pairing.ts";
import type { ChannelAdapter, ChannelStatus, OutboundMessage, SendTarget } from "../../src/channels/types.ts";
import type { MethodContext, MethodDef } from "../../src/gateway/methods/registry.ts";

const ctx = { credentialId: "cred1" } as MethodContext;
const call = (defs: MethodDef<unknown>[], name: string, params: unknown) => {
  const def = defs.find((d) => d.name === name)!;
  return def.handler(def.params.parse(params), ctx);
};

function fakeAdapter(channel: string, accountId: string, fail = false) {
  const sent: Array<[SendTarget, OutboundMessage]> = [];
  const status: ChannelStatus = {
    channel,
    accountId,
    mode: "polling",
    running: true,
    connected: true,
    lastEventAt: 1000,
  };
  const adapter: ChannelAdapter = {
    channel,
    accountId,
    capabilities: { maxMessageLength: 100, threads: false, edits: false, media: false },
    start: () => fail ? Promise.reject(new Error("bad token")) : Promise.resolve(),
    stop: () => Promise.resolve(),
    status: () => status,
    send: (t, m) => (sent.push([t, m]), Promise.resolve({ messageIds: ["1"] })),
    startTyping: () => () => {},
  };
  return { adapter, sent };
}

Deno.test("pairing methods: list, approve, deny; scopes and bad codes", async () => {
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const approved: string[] = [];
  const defs = createPairingMethods({ pairing, onApproved: (s) => void approved.push(s.senderId) });
  assert.deepEqual(defs.map((d) => [d.name, d.scope]), [["pairing.list", "read"], [
    "pairing.approve",
    "admin",
  ], ["pairing.deny", "admin"]]);
  const a = await pairing.request({ channel: "telegram", accountId: "default", senderId: "5" });
  const b = await pairing.request({ channel: "telegram", accountId: "default", senderId: "6" });
  assert.ok(a.status === "created" && b.status === "created");
  const list = await call(defs, "pairing.list", {}) as { pending: unknown[] };
  assert.equal(list.pending.length, 2);
  await call(defs, "pairing.approve", { channel: "telegram", code: a.request.code });
  assert.deepEqual(approved, ["5"]);
  assert.equal(await pairing.isApproved("telegram", "default", "5"), true);
  await call(defs, "pairing.deny", { channel: "telegram", code: b.request.code });
  await assert.rejects(
    async () => await call(defs, "pairing.approve", { channel: "telegram", code: b.request.code }),
    { code: "NOT_FOUND" },
  );
  assert.throws(() => defs[1]!.params.parse({ channel: "telegram", code: "short" }));
  store.close();
});

Deno.test("pairing CLI: deny, approved list, usage errors", async () => {
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const out: string[] = [];
  const io = {
    out: (t: string) => out.push(t),
    err: (t: string) => out.push(t),
    env: {},
    interactive: false,
  };
  const r = await pairing.request({ channel: "discord", accountId: "b", senderId: "9" });
  assert.ok(r.status === "created");
  assert.equal(await runPairing(["approve", "discord"], io, pairing), 2);
  assert.equal(await runPairing(["frobnicate"], io, pairing), 2);
  assert.equal(await runPairing(["deny", "discord", r.request.code], io, pairing), 0);
  assert.equal(await runPairing(["deny", "discord", r.request.code], io, pairing), 1);
  out.length = 0;
  assert.equal(await runPairing(["list", "--json"], io, pairing), 0);
  assert.deepEqual(JSON.parse(out[0]!), []);
  store.close();
});

Deno.test("channel registry: status, send to the default account, start failures contained", async () => {
  const registry = createChannelRegistry();
  const tg = fakeAdapter("telegram", "default");
  const dc = fakeAdapter("discord", "main", true);
  registry.add(tg.adapter);
  registry.add(dc.adapter);
  assert.throws(() => registry.add(tg.adapter), RangeError);
  await registry.startAll();
  await registry.send("telegram", undefined, parseTarget("42"), { text: "hi" });
  assert.deepEqual(tg.sent[0]?.[0], { peer: { kind: "direct", id: "42" }, threadId: undefined });
  await assert.rejects(
    registry.send("whatsapp", undefined, parseTarget("1"), { text: "x" }),
    /No whatsapp account/,
  );
  const defs = createChannelMethods({ channels: registry });
  const res = await call(defs, "channels.status", { channel: "discord" }) as { channels: ChannelStatus[] };
  assert.deepEqual(res.channels.map((s) => s.accountId), ["main"]);
  assert.match(
    renderChannelStatus(registry.status(), 61_000),
    /telegram\/default\s+connected\s+polling\s+last event 1m 0s ago/,
  );
  assert.equal(renderChannelStatus([], 0), "No channels configured.");
  await registry.stopAll();
});

Deno.test("parseTarget: kinds, threads, Telegram group ids and bad input", () => {
  assert.deepEqual(parseTarget("group:-100/7"), { peer: { kind: "group", id: "-100" }, threadId: "7" });
  assert.deepEqual(parseTarget("-1001"), { peer: { kind: "group", id: "-1001" }, threadId: undefined });
  assert.deepEqual(parseTarget("channel:55"), { peer: { kind: "channel", id: "55" }, threadId: undefined });
  assert.throws(() => parseTarget("a b"), TypeError);
  assert.throws(() => parseTarget(""), TypeError);
});
