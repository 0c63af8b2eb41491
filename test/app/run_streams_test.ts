/**
 * A run's stream events ("agent", "chat") reach the main thread's bus only while a listener there wants
 * them (a WebSocket client, a streaming /v1 request); approvals always do.
 */
import assert from "node:assert/strict";
import type { BusEvent } from "../../src/core/types.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

async function v1Turn(gw: TestGateway, sessionKey: string, text: string): Promise<string> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${gw.token.token}`,
      "content-type": "application/json",
      "x-talon-session-key": sessionKey,
    },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: text }] }),
    signal: AbortSignal.timeout(30_000),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const runId = res.headers.get("x-talon-run-id");
  await res.body?.cancel();
  assert.ok(runId, "the answer names its run");
  return runId;
}

Deno.test("run stream events are sent to the main thread only while someone there listens for them", async () => {
  await using gw = await startTestGateway(ECHO);
  const seen: BusEvent[] = [];
  // This recorder itself does not want the streams (as the gateway's own egress and approval watchers).
  const stopRecording = gw.bus.subscribe((e) => void seen.push(e), { runStreams: false });
  const streamsOf = (runId: string) =>
    seen.filter((e) => e.runId === runId && (e.event === "agent" || e.event === "chat")).map((e) => e.event);
  try {
    const quiet = await v1Turn(gw, "agent:main:quiet", "nobody listens");
    assert.deepEqual(streamsOf(quiet), [], "no listener: no deltas or lifecycle were forwarded");

    const stopListening = gw.bus.subscribe(() => {});
    const heard = await v1Turn(gw, "agent:main:heard", "someone listens");
    assert.ok(streamsOf(heard).includes("agent"), `lifecycle forwarded: ${streamsOf(heard)}`);
    assert.ok(streamsOf(heard).includes("chat"), `chat forwarded: ${streamsOf(heard)}`);

    stopListening();
    stopListening(); // a second unsubscribe does not count twice
    const again = await v1Turn(gw, "agent:main:again", "nobody listens again");
    assert.deepEqual(streamsOf(again), []);
  } finally {
    stopRecording();
  }
});

Deno.test("an approval request reaches the main thread with no stream listener", async () => {
  await using gw = await startTestGateway(ECHO);
  const requested = Promise.withResolvers<{ id: string }>();
  const stop = gw.bus.subscribe((e) => {
    if (e.event === "approval.requested") requested.resolve(e.payload as { id: string });
  }, { runStreams: false });
  const turn = v1Turn(gw, "agent:main:approve", '/tool exec {"argv":["echo","approved"]}');
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const approval = await Promise.race([
      requested.promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("no approval.requested on the main bus within 30 s")),
          30_000,
        );
      }),
    ]);
    const client = await gw.connect();
    try {
      await client.request("approval.resolve", { id: approval.id, decision: "deny" });
    } finally {
      await client.close();
    }
    await turn;
  } finally {
    clearTimeout(timer);
    stop();
  }
});
