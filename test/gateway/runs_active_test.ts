/**
 * `runs.list` lists runs in progress too: a run whose model is still answering is `running` (with when it
 * began), the message behind it in the same session `queued`; both filter by status, session and channel,
 * and once they finish they are listed as finished runs, each once.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { eventually as until, startTestGateway } from "../helpers/gateway.ts";

interface Row {
  runId: string;
  status: string;
  channel: string | null;
  principal: string | null;
  sessionKey: string | null;
  endedAt: number | null;
  runStartedAt?: number | null;
  startedAt: number;
}

Deno.test("runs.list: running and queued runs are listed, then finished", async () => {
  const fake = createFakeOpenAI({ apiKey: "sk-test" });
  try {
    await using gw = await startTestGateway({
      agents: { defaults: { model: { primary: "fake/gpt-fake" }, queueMode: "followup" } },
      providers: { fake: { api: "openai-chat", baseUrl: fake.url, apiKey: "sk-test" } },
    });
    const client = await gw.connect();
    try {
      // The first answer stops mid-stream and stays open until the run is aborted.
      fake.enqueue({ text: "still thinking about it", hangAfterChunks: 1 }, { text: "second answer" });
      const sessionKey = "agent:main:webchat:runs";
      const first = await client.request<{ runId: string }>("chat.send", { sessionKey, text: "one" });
      await fake.waitForRequests(1);
      const second = await client.request<{ runId: string }>("chat.send", { sessionKey, text: "two" });
      const list = async (params: Record<string, unknown> = {}) =>
        (await client.request<{ runs: Row[] }>("runs.list", params)).runs;

      const rows = await until("the queued run", async () => {
        const r = await list();
        return r.some((x) => x.runId === second.runId) ? r : undefined;
      });
      const running = rows.find((r) => r.runId === first.runId)!;
      assert.equal(running.status, "running");
      assert.equal(running.endedAt, null);
      assert.equal(running.channel, "webchat");
      assert.equal(running.sessionKey, sessionKey);
      assert.match(running.principal ?? "", /^owner:credential:/);
      assert.ok(typeof running.runStartedAt === "number" && running.runStartedAt >= running.startedAt);
      const queued = rows.find((r) => r.runId === second.runId)!;
      assert.equal(queued.status, "queued");
      assert.equal(queued.runStartedAt, null);
      // In progress first, newest first.
      assert.deepEqual(rows.slice(0, 2).map((r) => r.runId), [second.runId, first.runId]);

      assert.deepEqual((await list({ status: "running" })).map((r) => r.runId), [first.runId]);
      assert.deepEqual((await list({ status: "queued" })).map((r) => r.runId), [second.runId]);
      assert.deepEqual(await list({ status: "ok" }), []);
      assert.deepEqual(await list({ sessionKey: "agent:main:other" }), []);
      assert.deepEqual(await list({ channel: "telegram" }), []);
      assert.equal((await list({ channel: "webchat" })).length, 2);
      await assert.rejects(client.request("runs.list", { status: "walking" }), /INVALID|status/);

      await client.request("chat.abort", { runId: first.runId });
      await client.request("agent.wait", { runId: second.runId, timeoutMs: 30_000 }, { timeoutMs: 35_000 });
      const done = await until("both runs finished", async () => {
        const r = await list();
        return r.every((x) => x.endedAt !== null) && r.length === 2 ? r : undefined;
      });
      assert.deepEqual(done.map((r) => r.status).sort(), ["aborted", "ok"]);
      assert.deepEqual(await list({ status: "running" }), []);
    } finally {
      await client.close();
    }
  } finally {
    await fake.close();
  }
});
