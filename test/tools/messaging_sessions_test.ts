import assert from "node:assert/strict";
import { createMessageTool } from "../../src/tools/message.ts";
import { createSessionTools } from "../../src/tools/sessions.ts";
import { toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";
import { memorySender, memorySessions } from "../fakes/tools_ports.ts";

Deno.test("message sends through the sender with workspace media only", async () => {
  await using env = await toolsEnv();
  await Deno.writeTextFile(`${env.workspace}/report.txt`, "r");
  const sender = memorySender();
  const reg = toolsRegistry([createMessageTool({ sender })]);
  const r = await reg.execute(
    "message",
    { channel: "telegram", to: "42", text: "hi", media: ["report.txt"] },
    env.ctx(),
  );
  assert.equal(r.content, "Queued message out_1 to telegram:42");
  assert.deepEqual(sender.sent, [{
    channel: "telegram",
    to: "42",
    text: "hi",
    accountId: undefined,
    media: [`${env.workspace}/report.txt`],
    runId: "run_test",
  }]);
  const bad = await reg.execute("message", {
    channel: "telegram",
    to: "42",
    text: "x",
    media: ["/etc/passwd"],
  }, env.ctx());
  assert.match(bad.content, /^NotCapable: attach \/etc\/passwd is outside the workspace/);
  assert.equal(sender.sent.length, 1);
});

Deno.test("sessions tools list, read history, send and spawn sub-agents", async () => {
  await using env = await toolsEnv();
  const api = memorySessions();
  api.sessions.push(
    { sessionKey: "agent:main:main", agentId: "main", updatedAt: 0 },
    { sessionKey: "agent:other:main", agentId: "other", updatedAt: 0 },
  );
  api.transcripts.set("agent:main:telegram:direct:1", [{ role: "user", text: "hello", ts: 1 }, {
    role: "assistant",
    text: "hey",
    ts: 2,
  }]);
  const reg = toolsRegistry(createSessionTools({ sessions: api, agentIds: () => ["main", "other"] }));
  const ctx = env.ctx();
  assert.equal(
    (await reg.execute("sessions_list", {}, ctx)).content,
    "agent:main:main  1970-01-01T00:00:00.000Z",
  );
  assert.equal(
    (await reg.execute("sessions_history", { sessionKey: "agent:main:telegram:direct:1" }, ctx)).content,
    "user: hello\nassistant: hey",
  );
  assert.match(
    (await reg.execute("sessions_history", { sessionKey: "agent:other:main" }, ctx)).content,
    /^Denied/,
  );
  assert.match(
    (await reg.execute("sessions_send", { sessionKey: "agent:main:x", text: "ping" }, ctx)).content,
    /^Sent to agent:main:x/,
  );
  assert.deepEqual(api.transcripts.get("agent:main:x"), [{ role: "user", text: "ping", ts: 1 }]);
  const spawned = await reg.execute("sessions_spawn", { task: "count files" }, ctx);
  assert.match(spawned.content, /^Sub-agent agent:main:subagent:[0-9a-f-]{36} reported:\ndone: count files$/);
  const failed = await reg.execute("sessions_spawn", { task: "fail" }, ctx);
  assert.match(failed.content, /^Failed: sub-agent .* failed: Error: model unavailable/);
  const nested = await reg.execute("sessions_spawn", { task: "x" }, env.ctx({ sessionKey: api.spawned[0]! }));
  assert.match(nested.content, /^Denied: a sub-agent cannot spawn/);
  assert.match(
    (await reg.execute("sessions_spawn", { task: "x", agentId: "ghost" }, ctx)).content,
    /^NotFound/,
  );
});
