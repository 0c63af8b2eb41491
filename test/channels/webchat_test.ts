import assert from "node:assert/strict";
import { configSchema } from "../../src/config/schema.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { BusEvent, InboundMessage } from "../../src/core/types.ts";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import type { Route } from "../../src/routing/resolve_route.ts";
import {
  createWebchatChannel,
  WEBCHAT_MESSAGE_EVENT,
  WEBCHAT_TYPING_EVENT,
} from "../../src/channels/webchat.ts";

async function setup(dmScope: "main" | "per-channel-peer") {
  const store = await openStore({ url: ":memory:" });
  const bus = createEventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const got: Array<[InboundMessage, Route]> = [];
  const config = configSchema.parse({ session: { dmScope } });
  const chat = createWebchatChannel({
    bus,
    pairing: createPairingRepo(store.db),
    routeConfig: () => config,
    sink: { accept: (m, r) => (got.push([m, r]), Promise.resolve({ accepted: true })) },
  });
  await chat.start();
  return { store, chat, events, got };
}

Deno.test("webchat: a client message goes through the pipeline keyed by client id", async () => {
  const { store, chat, got } = await setup("per-channel-peer");
  const out = await chat.receive({ clientId: "ui-7", text: " /new ", messageId: "m1" });
  assert.equal(out.status, "accepted", "web chat clients are authorised, commands included");
  assert.equal(got[0]![0].channel, "webchat");
  assert.equal(got[0]![0].text, "/new");
  assert.equal(got[0]![1].sessionKey, "agent:main:webchat:direct:ui-7");
  store.close();
});

Deno.test("webchat: dmScope main shares the agent's main session", async () => {
  const { store, chat, got } = await setup("main");
  await chat.receive({ clientId: "ui-7", text: "hello" });
  assert.equal(got[0]![1].sessionKey, "agent:main:main");
  await chat.stop();
  assert.equal((await chat.receive({ clientId: "ui-7", text: "x" })).status, "dropped");
  store.close();
});

Deno.test("webchat: replies and typing are published on the bus for the gateway", async () => {
  const { store, chat, events } = await setup("main");
  const res = await chat.send({ peer: { kind: "direct", id: "ui-7" } }, { text: "answer", replyTo: "m1" });
  const stop = chat.startTyping({ peer: { kind: "direct", id: "ui-7" } });
  stop();
  stop();
  const messages = events.filter((e) => e.event === WEBCHAT_MESSAGE_EVENT).map((e) =>
    e.payload as Record<string, unknown>
  );
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.to, "ui-7");
  assert.equal(messages[0]!.text, "answer");
  assert.equal(messages[0]!.replyTo, "m1");
  assert.deepEqual(res.messageIds, [messages[0]!.messageId]);
  const typing = events.filter((e) => e.event === WEBCHAT_TYPING_EVENT).map((e) =>
    (e.payload as { active: boolean }).active
  );
  assert.deepEqual(typing, [true, false]);
  assert.equal(chat.status().connected, true);
  store.close();
});
