/**
 * chat.send addresses the session's own agent: `agent:helper:main` is run by agent helper even when the
 * Control UI's agent picker said main (that mis-owned the session), a conflicting agentId is refused,
 * and a web chat run's timeline starts with ingress and routed like a channel message's.
 */
import assert from "node:assert/strict";
import { createSessionRepo } from "../../src/store/sessions.ts";
import { startTestGateway } from "../helpers/gateway.ts";

const CONFIG = {
  agents: {
    defaults: { model: { primary: "echo/echo" } },
    list: [{ id: "main" }, { id: "helper", name: "Helper" }],
  },
};

Deno.test("chat.send: a session key's agent runs it; a conflicting agentId is refused", async () => {
  await using gw = await startTestGateway(CONFIG);
  const client = await gw.connect();
  try {
    const { runId } = await client.request<{ runId: string }>("chat.send", {
      sessionKey: "agent:helper:main",
      text: "/status",
    });
    const waited = await client.request<{ result: { payloads: { text: string }[] } }>("agent.wait", {
      runId,
      timeoutMs: 20_000,
    }, { timeoutMs: 25_000 });
    assert.match(waited.result.payloads[0]!.text, /helper/);
    const hello = await client.request<{ runId: string }>("chat.send", {
      sessionKey: "agent:helper:main",
      text: "hello",
    });
    await client.request("agent.wait", { runId: hello.runId, timeoutMs: 20_000 }, { timeoutMs: 25_000 });
    assert.equal((await createSessionRepo(gw.store.db).get("agent:helper:main"))?.agentId, "helper");

    await assert.rejects(
      client.request("chat.send", { sessionKey: "agent:helper:main", agentId: "main", text: "hi" }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "INVALID_REQUEST");
        assert.match(err.message, /belongs to agent "helper"/);
        return true;
      },
    );
    // Keys that do not name an agent still take the given one.
    const other = await client.request<{ runId: string; sessionKey: string }>("chat.send", {
      sessionKey: "webchat:x",
      agentId: "helper",
      text: "hello",
    });
    await client.request("agent.wait", { runId: other.runId, timeoutMs: 20_000 }, { timeoutMs: 25_000 });
    assert.equal((await createSessionRepo(gw.store.db).get("webchat:x"))?.agentId, "helper");
  } finally {
    await client.close();
  }
});

Deno.test("chat.send: the run's timeline starts with ingress (webchat) and routed", async () => {
  await using gw = await startTestGateway(CONFIG);
  const client = await gw.connect();
  try {
    const { runId } = await client.request<{ runId: string }>("chat.send", { text: "hello" });
    await client.request("agent.wait", { runId, timeoutMs: 20_000 }, { timeoutMs: 25_000 });
    const t = await client.request<{ milestones: { kind: string; data: Record<string, unknown> }[] }>(
      "runs.timeline",
      { runId },
    );
    const kinds = t.milestones.map((m) => m.kind);
    assert.deepEqual(kinds.slice(0, 3), ["ingress", "routed", "queued"], kinds.join(", "));
    assert.equal(t.milestones[0]!.data.channel, "webchat");
    assert.equal(t.milestones[1]!.data.agentId, "main");
  } finally {
    await client.close();
  }
});
