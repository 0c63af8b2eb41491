import assert from "node:assert/strict";
import type { InboundMessage } from "../../src/core/types.ts";
import { configSchema } from "../../src/config/schema.ts";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import { groupRuleFromGroups } from "../../src/channels/access.ts";
import { createChannelPipeline, createPipeline, type PipelineStep } from "../../src/channels/pipeline.ts";
import type { InboundSink } from "../../src/channels/types.ts";
import type { Route } from "../../src/routing/resolve_route.ts";

const msg = (text: string, senderId = "5"): InboundMessage => ({
  channel: "telegram",
  accountId: "default",
  peer: { kind: "direct", id: senderId },
  sender: { id: senderId },
  text,
  messageId: crypto.randomUUID(),
  ts: 0,
});

async function setup(sink: InboundSink) {
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const config = configSchema.parse({ session: { dmScope: "per-channel-peer" } });
  const pipeline = createChannelPipeline({
    policy: {
      dmPolicy: "pairing",
      allowFrom: ["1"],
      groupPolicy: "allowlist",
      groupRule: groupRuleFromGroups({}),
    },
    pairing,
    routeConfig: () => config,
    sink,
  });
  return { store, pairing, pipeline };
}

Deno.test("pipeline: allowed message reaches the sink with its route; text is trimmed", async () => {
  const got: Array<[InboundMessage, Route]> = [];
  const { store, pipeline } = await setup({
    accept: (m, r) => (got.push([m, r]), Promise.resolve({ accepted: true })),
  });
  const out = await pipeline.handle(msg("  hello \r\n", "1"), () => Promise.resolve());
  assert.equal(out.status, "accepted");
  assert.equal(got[0]?.[0].text, "hello");
  assert.equal(got[0]?.[1].sessionKey, "agent:main:telegram:direct:1");
  assert.equal((await pipeline.handle(msg("   ", "1"), () => Promise.resolve())).status, "dropped");
  store.close();
});

Deno.test("pipeline: unknown sender gets one pairing code and nothing reaches the sink", async () => {
  let calls = 0;
  const { store, pairing, pipeline } = await setup({
    accept: () => (calls++, Promise.resolve({ accepted: true })),
  });
  const replies: string[] = [];
  const reply = (t: string) => (replies.push(t), Promise.resolve());
  assert.deepEqual(await pipeline.handle(msg("hi"), reply), {
    status: "dropped",
    reason: "pairing-required",
  });
  await pipeline.handle(msg("hello?"), reply);
  assert.equal(calls, 0);
  assert.equal(replies.length, 1, "the code is sent once");
  const [req] = await pairing.list("telegram");
  assert.ok(req && replies[0]?.includes(req.code));
  await pairing.approve("telegram", req.code);
  assert.equal((await pipeline.handle(msg("now?"), reply)).status, "accepted");
  assert.equal(calls, 1);
  store.close();
});

Deno.test("pipeline: a sink failure is retryable, a step failure is contained", async () => {
  const { store, pipeline } = await setup({ accept: () => Promise.reject(new Error("disk full")) });
  const out = await pipeline.handle(msg("x", "1"), () => Promise.resolve());
  assert.deepEqual(out, { status: "failed", retryable: true, error: "Error: disk full" });
  const boom: PipelineStep = () => Promise.reject(new TypeError("bad update"));
  const p = createPipeline([boom]);
  assert.deepEqual(await p.handle(msg("x"), () => Promise.resolve()), {
    status: "failed",
    retryable: false,
    error: "TypeError: bad update",
  });
  store.close();
});
