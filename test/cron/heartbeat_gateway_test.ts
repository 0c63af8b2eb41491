/** The heartbeat inside a real gateway: heartbeat.now runs a turn through the lanes; who may control it. */
import assert from "node:assert/strict";
import type { GatewayRequestError } from "../../src/gateway/client.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { testEnv } from "../helpers/temp.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";

Deno.test("heartbeat in the gateway: now → a cron-principal turn in the main session; HEARTBEAT_OK stays quiet", async () => {
  const fake = createFakeOpenAI();
  try {
    await using gw = await startTestGateway({
      providers: { fake: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } },
      agents: { defaults: { model: { primary: "fake/m" }, heartbeat: { every: "1h", target: "last" } } },
    });
    const ws = `${gw.home}/workspace/main`;
    await Deno.mkdir(ws, { recursive: true });
    await Deno.writeTextFile(`${ws}/HEARTBEAT.md`, "- Is the backup older than a day?\n");
    const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });

    fake.enqueue({ text: "HEARTBEAT_OK" });
    const now = await cli(["heartbeat", "now"], env);
    assert.equal(now.code, 0, now.err);
    assert.equal(now.out.trim(), "Heartbeat ran: nothing to report (HEARTBEAT_OK).");
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    assert.match(sent.messages.at(-1)!.content, /## HEARTBEAT\.md\n- Is the backup older than a day\?/);
    // Milestones are written in batches (every few ms): the last one may land just after the CLI's answer.
    const query = () =>
      gw.store.db.query<{ kind: string; data: string }>(
        "SELECT kind, data FROM events WHERE session_key = 'agent:main:main' ORDER BY id",
      );
    let events = await query();
    for (const deadline = Date.now() + 30_000; !events.some((e) => e.data.includes('"suppressed"'));) {
      if (Date.now() > deadline) {
        throw new Error(`no "suppressed" heartbeat milestone after 30 s: ${JSON.stringify(events)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
      events = await query();
    }
    const kinds = events.map((e) => e.kind);
    assert.ok(kinds.includes("run.start") && kinds.includes("heartbeat"), kinds.join(","));
    const start = events.find((e) => e.kind === "run.start" && JSON.parse(e.data).channel === "heartbeat");
    assert.ok(start, "the heartbeat turn is on the timeline");
    assert.deepEqual(
      events.filter((e) => e.kind === "heartbeat").map((e) => JSON.parse(e.data).outcome),
      ["started", "suppressed"],
    );

    const off = await cli(["heartbeat", "off"], env);
    assert.equal(off.out.trim(), "Heartbeat off for agent main.");
    const status = await cli(["heartbeat", "status"], env);
    assert.match(status.out, /^main: every 1h, off/);
  } finally {
    await fake.close();
  }
});

Deno.test("heartbeat control: read credentials and non-owner chat senders are refused", async () => {
  await using gw = await startTestGateway({ agents: { defaults: { heartbeat: { every: "30m" } } } });
  const token = "heartbeat-reader-token-0123456789";
  await gw.store.credentials.put({ name: "reader", kind: "operator", scopes: ["read"], token });
  const reader = await gw.connect({ token });
  try {
    assert.equal((await reader.request<{ agents: unknown[] }>("heartbeat.status")).agents.length, 1);
    for (const [m, p] of [["heartbeat.now", {}], ["heartbeat.set", { enabled: false }]] as const) {
      await assert.rejects(reader.request(m, p), (e: GatewayRequestError) => e.code === "FORBIDDEN", m);
    }
  } finally {
    await reader.close();
  }
  // A chat command from someone who is not the owner (an api principal through the gateway's agent method).
  const owner = await gw.connect();
  try {
    const r = await owner.request<{ runId: string }>("chat.send", {
      sessionKey: "agent:main:main",
      text: "/heartbeat",
    });
    const done = await owner.request<{ result: { payloads: { text: string }[] } }>("agent.wait", {
      runId: r.runId,
      timeoutMs: 20_000,
    }, { timeoutMs: 25_000 });
    assert.match(
      done.result.payloads[0]!.text,
      /^Heartbeat: every 30m, on\. Use \/heartbeat off\|on\|now\.$/,
    );
  } finally {
    await owner.close();
  }
  const apiToken = "heartbeat-writer-token-0123456789";
  await gw.store.credentials.put({
    name: "writer",
    kind: "operator",
    scopes: ["read", "write"],
    token: apiToken,
  });
  const api = await gw.connect({ token: apiToken });
  try {
    const r = await api.request<{ runId: string }>("chat.send", {
      sessionKey: "agent:main:api",
      text: "/heartbeat off",
    });
    const done = await api.request<{ result: { payloads: { text: string }[] } }>("agent.wait", {
      runId: r.runId,
      timeoutMs: 20_000,
    }, { timeoutMs: 25_000 });
    assert.equal(done.result.payloads[0]!.text, "Only the owner can control the heartbeat.");
    assert.equal(
      (await api.request<{ agents: { enabled: boolean }[] }>("heartbeat.status")).agents[0]!.enabled,
      true,
    );
  } finally {
    await api.close();
  }
});
