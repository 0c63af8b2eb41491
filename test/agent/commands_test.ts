import assert from "node:assert/strict";
import { parseCommand } from "../../src/agent/commands.ts";
import { agentStoreFrom } from "../../src/agent/mod.ts";
import { utcDay } from "../../src/store/sessions.ts";
import { answer } from "../fakes/scripted_model.ts";
import { harness, until } from "./helpers.ts";

const send = async (h: Awaited<ReturnType<typeof harness>>, text: string, sessionKey = "agent:main:main") =>
  await (await h.runtime.start({ agentId: "main", sessionKey, text })).done;

Deno.test("parseCommand: known commands with args and @bot suffix; anything else is not a command", () => {
  assert.deepEqual(parseCommand("/status"), { name: "status", args: "" });
  assert.deepEqual(parseCommand("  /model   openai/gpt-x  "), { name: "model", args: "openai/gpt-x" });
  assert.deepEqual(parseCommand("/STOP@talon_bot"), { name: "stop", args: "" });
  assert.equal(parseCommand("/etc/passwd is a file"), undefined);
  assert.equal(parseCommand("/unknown"), undefined);
  assert.equal(parseCommand("please /stop"), undefined);
  assert.equal(parseCommand(""), undefined);
});

Deno.test("commands: /help, /status and /model answer without calling the model", async () => {
  const h = await harness({
    config: {
      providers: { openai: { api: "openai-chat", apiKey: "sk-test" } },
      agents: { defaults: { model: { primary: "openai/gpt-a", fallbacks: ["openai/gpt-b"] } } },
      models: { prices: { "openai/gpt-a": { input: 1, output: 1 } } },
    },
  });
  try {
    const help = await send(h, "/help");
    assert.equal(help.command, "help");
    assert.match(help.text, /\/new or \/reset/);
    const chat = h.chatEvents(help.runId);
    assert.deepEqual(chat.map((c) => c.state), ["final"]);
    assert.equal(chat[0]!.message.content, help.text);

    await agentStoreFrom(h.store).sessions.ensure("agent:main:main", "main");
    await agentStoreFrom(h.store).sessions.addUsage("agent:main:main", {
      inputTokens: 1234,
      outputTokens: 56,
      costUsd: 0.5,
    });
    const status = await send(h, "/status");
    assert.match(status.text, /Model: openai\/gpt-a; fallbacks: openai\/gpt-b/);
    assert.match(status.text, /Tokens: 1234 in \/ 56 out; cost ≈ \$0\.50/);
    assert.match(status.text, /Running: no/);

    assert.match((await send(h, "/model nonsense")).text, /Invalid model ref "nonsense"/);
    assert.match(
      (await send(h, "/model anthropic/claude")).text,
      /Unknown provider "anthropic".*openai, echo/,
    );
    assert.match((await send(h, "/model openai/gpt-z")).text, /Model for this session: openai\/gpt-z/);
    assert.match(
      (await send(h, "/status")).text,
      /Model: openai\/gpt-z \(set for this session\); fallbacks: openai\/gpt-a, openai\/gpt-b/,
    );
    assert.match((await send(h, "/model")).text, /Current model: openai\/gpt-z/);

    h.model.push(answer("from z"));
    await send(h, "hello");
    assert.deepEqual(h.model.calls[0]!.chain, ["openai/gpt-z", "openai/gpt-a", "openai/gpt-b"]);
    assert.match((await send(h, "/model default")).text, /Back to the agent's model: openai\/gpt-a/);
    assert.match((await send(h, "/model echo/echo")).text, /echo\/echo/);
    assert.equal(h.model.calls.length, 1, "only the real message reached the model");
  } finally {
    await h.close();
  }
});

Deno.test("commands: /new starts a new transcript; /reset too; unknown /words go to the model", async () => {
  const h = await harness({ steps: [answer("one"), answer("path answer")] });
  try {
    await send(h, "remember this");
    const before = (await h.runtime.getSession("agent:main:main"))!;
    const r = await send(h, "/new");
    assert.equal(r.text, "Started a new conversation.");
    const after = (await h.runtime.getSession("agent:main:main"))!;
    assert.notEqual(after.sessionId, before.sessionId);
    assert.equal(after.inputTokens, 0);
    assert.deepEqual((await h.runtime.history("agent:main:main")).entries, []);
    await send(h, "/unknown thing");
    assert.equal(h.model.calls.at(-1)!.req.messages.length, 1, "the new session has no old history");
    assert.equal(h.model.calls.at(-1)!.req.messages[0]!.content, "/unknown thing");
    const reset = await send(h, "/reset");
    assert.equal(reset.command, "reset");
    assert.notEqual((await h.runtime.getSession("agent:main:main"))!.sessionId, after.sessionId);
  } finally {
    await h.close();
  }
});

Deno.test("commands: /stop aborts the session's running turn at once", async () => {
  const h = await harness({ steps: [{ hang: true }] });
  try {
    const run = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "long task" });
    await until(() => h.model.calls.length === 1, "model call");
    assert.match((await send(h, "/status", "s")).text, new RegExp(`Running: yes \\(${run.runId}\\)`));
    const stop = await send(h, "/stop", "s");
    assert.equal(stop.text, "Stopped.");
    assert.equal((await run.done).status, "aborted");
    assert.equal((await send(h, "/stop", "s")).text, "Nothing is running.");
  } finally {
    await h.close();
  }
});

Deno.test("budget: a run over the agent's daily budget is refused before it starts; commands still work", async () => {
  const h = await harness({
    config: {
      agents: { defaults: { model: { primary: "test/m" } }, list: [{ id: "main", dailyBudgetUsd: 0.01 }] },
      models: { prices: { "test/m": { input: 10, output: 10 } } },
    },
    steps: [answer("pricey", { input: 1000, output: 500 })],
  });
  try {
    const usage = agentStoreFrom(h.store).usage;
    await usage.record({
      runId: "old",
      agentId: "main",
      day: "2025-05-05",
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 5,
    });
    const first = await send(h, "hi");
    assert.equal(first.status, "ok", "yesterday's spend does not count");
    assert.ok(Math.abs(first.usage.costUsd - 0.015) < 1e-9);
    assert.equal((await usage.totalForDay("main", utcDay(h.clock.now()))).costUsd, first.usage.costUsd);
    await assert.rejects(
      h.runtime.start({ agentId: "main", sessionKey: "agent:main:main", text: "again" }),
      (e: Error & { code?: string }) =>
        e.code === "BUDGET_EXCEEDED" &&
        /daily budget: \$0\.015 of \$0\.01 spent today \(2025-05-06, UTC\)/.test(e.message),
    );
    assert.equal(h.model.calls.length, 1, "the refused run never reached the model");
    const status = await send(h, "/status");
    assert.match(status.text, /Today \(2025-05-06 UTC\): \$0\.015 of \$0\.01 daily budget/);
  } finally {
    await h.close();
  }
});
