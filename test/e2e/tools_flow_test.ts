// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

/** Waits (up to 60 s) for `ready()`; the worker's approval request crosses threads and the store. */
async function until(ready: () => boolean, what = "the approval request"): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after 60000 ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("tools in the worker: an exec call waits for approval over the gateway, then runs exactly what was approved", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    const requests: any[] = [];
    client.onEvent((e, p) => e === "approval.requested" && requests.push(p));
    await client.request("events.subscribe", { events: ["approval.requested", "approval.resolved"] });
    const { runId } = await client.request<any>("chat.send", {
      text: '/tool exec {"argv":["echo","approved-output"]}',
    });
    await until(() => requests.length > 0);
    assert.equal(requests.length, 1, "the worker's approval request reached the gateway client");
    assert.deepEqual(requests[0].argv, [Deno.realPathSync("/usr/bin/echo"), "approved-output"]);
    assert.deepEqual(requests[0].requested, ["echo", "approved-output"]);
    assert.equal(requests[0].confined, true, "the request says the program runs confined");
    assert.equal(requests[0].runId, runId);
    const { approvals } = await client.request<any>("approvals.list", {});
    assert.ok(approvals.some((a: any) => a.id === requests[0].id));
    await client.request("approval.resolve", { id: requests[0].id, decision: "allow-once" });
    const result = await client.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
      timeoutMs: 60_000,
    });
    assert.equal(result.status, "ok");
    assert.match(result.result.payloads[0].text, /approved-output/);
    const { milestones, audit } = await client.request<any>("runs.timeline", { runId });
    assert.ok(milestones.some((m: any) => m.kind === "tool.call"));
    assert.ok(
      audit.some((a: any) => a.kind === "tool.call" && a.outcome === "ok"),
      "the tool call is audited",
    );
  } finally {
    await client.close();
  }
});

Deno.test("tools in the worker: a denied approval is a tool error the model sees; nothing runs", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    const requests: any[] = [];
    client.onEvent((e, p) => e === "approval.requested" && requests.push(p));
    await client.request("events.subscribe", { events: ["approval.requested"] });
    const marker = `${gw.home}/must-not-exist`;
    const { runId } = await client.request<any>("chat.send", {
      text: `/tool exec {"argv":["touch","${marker}"]}`,
    });
    await until(() => requests.length > 0);
    await client.request("approval.resolve", { id: requests[0].id, decision: "deny" });
    const result = await client.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
      timeoutMs: 60_000,
    });
    assert.match(result.result.payloads[0].text, /denied/i);
    await assert.rejects(Deno.stat(marker));
  } finally {
    await client.close();
  }
});

Deno.test("tools in the worker: reads outside the workspace come back as NotCapable tool errors", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    const { runId } = await client.request<any>("chat.send", { text: '/tool read {"path":"/etc/passwd"}' });
    const result = await client.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
      timeoutMs: 60_000,
    });
    assert.equal(result.status, "ok", "a denied tool call never crashes the run");
    assert.match(result.result.payloads[0].text, /outside the workspace|NotCapable|Denied/i);
    assert.doesNotMatch(result.result.payloads[0].text, /root:x:0:0/);
  } finally {
    await client.close();
  }
});

Deno.test("/approve <id> from the owner in chat resolves a pending tool call; unknown ids and decisions are answered", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  try {
    const requests: any[] = [];
    client.onEvent((e, p) => e === "approval.requested" && requests.push(p));
    await client.request("events.subscribe", { events: ["approval.requested"] });
    const { runId } = await client.request<any>("chat.send", {
      text: '/tool exec {"argv":["echo","via-chat"]}',
      sessionKey: "agent:main:webchat:direct:tester",
    });
    await until(() => requests.length > 0);
    const bad = await client.request<any>("chat.send", { text: `/approve ${requests[0].id} maybe` });
    const badReply = await client.request<any>("agent.wait", { runId: bad.runId, timeoutMs: 5000 });
    assert.match(badReply.result.payloads[0].text, /Unknown decision/);
    const missing = await client.request<any>("chat.send", { text: "/approve appr_nope allow-once" });
    assert.match(
      (await client.request<any>("agent.wait", { runId: missing.runId })).result.payloads[0].text,
      /No pending/,
    );
    const ok = await client.request<any>("chat.send", { text: `/approve ${requests[0].id} allow-once` });
    assert.match(
      (await client.request<any>("agent.wait", { runId: ok.runId })).result.payloads[0].text,
      /allow-once/,
    );
    const result = await client.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
      timeoutMs: 60_000,
    });
    assert.match(result.result.payloads[0].text, /via-chat/);
  } finally {
    await client.close();
  }
});

Deno.test("message tool in a worker: text and a workspace file reach Telegram through the outbox at once", async () => {
  const { startFakeTelegram } = await import("../fakes/fake_telegram.ts");
  const telegram = startFakeTelegram();
  try {
    await using gw = await startTestGateway({
      ...ECHO,
      channels: {
        telegram: { accounts: { default: { botToken: telegram.token, apiRoot: telegram.apiRoot } } },
      },
      tools: { allow: ["message"] },
    });
    const client = await gw.connect();
    try {
      const send = async (text: string) => {
        const { runId } = await client.request<any>("chat.send", { text });
        return await client.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, { timeoutMs: 60_000 });
      };
      await send('/tool write {"path":"chart.png","content":"not really a png"}');
      const started = Date.now();
      const r = await send(
        '/tool message {"channel":"telegram","to":"direct:77","text":"see attached","media":["chart.png"]}',
      );
      assert.match(r.result.payloads[0].text, /Queued message/);
      await telegram.waitForSent((s) => s.some((m) => m.method === "sendPhoto"), 10_000).catch(async (e) => {
        console.log(JSON.stringify(await client.request("outbox.list", {})));
        throw e;
      });
      assert.ok(Date.now() - started < 4000, "sent on the worker's kick, not at the next outbox poll");
      const text = telegram.sent.find((m) => m.method === "sendMessage" && m.chat_id === "77");
      assert.equal(text?.text, "see attached");
      assert.equal(telegram.sent.find((m) => m.method === "sendPhoto")?.fileName, "chart.png");
      const escape = await send(
        '/tool message {"channel":"telegram","to":"direct:77","text":"x","media":["../../talon.json"]}',
      );
      assert.match(escape.result.payloads[0].text, /NotCapable: attach \.\.\/\.\.\/talon\.json/);
    } finally {
      await client.close();
    }
  } finally {
    await telegram.close();
  }
});

Deno.test("approval requests left pending by a previous process expire when the gateway starts", async () => {
  const { openStore, fileUrl } = await import("../../src/store/mod.ts");
  const { createApprovalRepo } = await import("../../src/tools/approval_repo.ts");
  const home = await Deno.makeTempDir({ prefix: "talon-appr-" });
  try {
    const store = await openStore({ url: fileUrl(`${home}/talon.db`) });
    await createApprovalRepo(store.db).insert({
      id: "appr_old",
      runId: "run_old",
      sessionKey: "agent:main:main",
      tool: "exec",
      argv: ["ls"],
      cwd: "/w",
      hash: "h",
      status: "pending",
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    store.close();
    const { loadConfig } = await import("../../src/config/load.ts");
    const { startGateway } = await import("../../src/app/gateway_runtime.ts");
    await Deno.writeTextFile(
      `${home}/talon.json`,
      JSON.stringify({ gateway: { port: 0 }, logging: { console: false } }),
    );
    const env = { TALON_HOME: home };
    const gw = await startGateway({ loaded: await loadConfig({ env }), env, print: () => {} });
    try {
      const record = await createApprovalRepo(gw.store.db).get("appr_old");
      assert.equal(record?.status, "expired");
    } finally {
      await gw.shutdown();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
