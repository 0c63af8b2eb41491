import assert from "node:assert/strict";
import { z } from "zod";
import { INTERRUPTED_RESULT, SKIPPED_FOR_STEER } from "../../src/agent/mod.ts";
import { createCurrentTimeTool } from "../../src/tools/current_time.ts";
import type { ToolDefinition } from "../../src/tools/types.ts";
import { answer, toolCalls } from "../fakes/scripted_model.ts";
import { harness, until } from "./helpers.ts";
import { agentStoreFrom } from "../../src/agent/mod.ts";

/** A tool that waits until its run is aborted (or `release()` is called). */
function blockingTool() {
  const state = { started: 0, sawAbort: false, release: () => {} };
  const def: ToolDefinition<{ label?: string }> = {
    name: "block",
    description: "waits",
    group: "util",
    input: z.object({ label: z.string().optional() }),
    run: (_args, ctx) =>
      new Promise((resolve) => {
        state.started++;
        state.release = () => resolve({ content: "released" });
        ctx.signal.addEventListener("abort", () => {
          state.sawAbort = true;
          resolve({ content: "stopped by signal", isError: true });
        }, { once: true });
      }),
  };
  return { def, state };
}

Deno.test("tool loop: a tool call is executed and its result goes back to the model", async () => {
  const clockTool = (now: () => number) => createCurrentTimeTool({ clock: { now } });
  const h2 = await harness({
    tools: [clockTool(() => Date.UTC(2025, 0, 1, 9, 30))],
    steps: [
      toolCalls(
        [{ id: "c1", name: "current_time", arguments: { timeZone: "Europe/Berlin" } }],
        "Let me check.",
      ),
      answer("It is 10:30 in Berlin."),
    ],
  });
  try {
    const r = await (await h2.runtime.start({ agentId: "main", sessionKey: "s", text: "time in Berlin?" }))
      .done;
    assert.equal(r.status, "ok");
    assert.equal(r.steps, 2);
    assert.equal(r.text, "Let me check.\n\nIt is 10:30 in Berlin.");
    // First request offered the tool schema.
    const tools = h2.model.calls[0]!.req.tools;
    assert.equal(tools[0]!.name, "current_time");
    assert.equal((tools[0]!.parameters as { type: string }).type, "object");
    // Second request carries the call and its result.
    const msgs = h2.model.calls[1]!.req.messages;
    assert.deepEqual(msgs[1], {
      role: "assistant",
      content: "Let me check.",
      toolCalls: [{ id: "c1", name: "current_time", arguments: { timeZone: "Europe/Berlin" } }],
    });
    assert.equal(msgs[2]!.role, "tool");
    assert.match(
      (msgs[2] as { content: string }).content,
      /^2025-01-01 10:30:00 Europe\/Berlin \(Wednesday, UTC\+01:00\)/,
    );
    const toolEvents = h2.agentEvents(r.runId).filter((e) => e.stream === "tool");
    assert.deepEqual(toolEvents.map((e) => [e.data.phase, e.data.name]), [["start", "current_time"], [
      "end",
      "current_time",
    ]]);
    assert.equal(toolEvents[1]!.data.outcome, "ok");
    const kinds = (await h2.runtime.history("s")).entries.map((e) => e.kind);
    assert.deepEqual(kinds, ["user", "assistant", "tool_call", "tool_result", "assistant"]);
    const ms = await h2.store.milestones.forRun(r.runId);
    assert.deepEqual(ms.map((m) => m.kind), [
      "run.start",
      "model.attempt",
      "tool.call",
      "model.attempt",
      "run.end",
    ]);
    assert.equal(ms[2]!.data.tool, "current_time");
    assert.equal(ms[2]!.data.outcome, "ok");
  } finally {
    await h2.close();
  }
});

Deno.test("tool loop: invalid arguments and unknown tools come back as error results, the loop goes on", async () => {
  const h = await harness({
    tools: [createCurrentTimeTool({ clock: { now: () => 0 } })],
    steps: [
      toolCalls([
        { id: "a", name: "current_time", arguments: { timeZone: 42 } },
        { id: "b", name: "nope", arguments: {} },
        { id: "c", name: "current_time", arguments: { timeZone: "Mars/Base" } },
      ]),
      answer("done"),
    ],
  });
  try {
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go" })).done;
    assert.equal(r.status, "ok");
    const results = h.model.calls[1]!.req.messages.filter((m) => m.role === "tool") as {
      content: string;
      isError?: boolean;
    }[];
    assert.equal(results.length, 3);
    assert.ok(results.every((m) => m.isError));
    assert.match(results[0]!.content, /Invalid arguments for current_time: timeZone/);
    assert.match(results[1]!.content, /Unknown tool "nope"/);
    assert.match(results[2]!.content, /Unknown time zone "Mars\/Base"/);
  } finally {
    await h.close();
  }
});

Deno.test("tool loop: maxSteps stops a model that keeps calling tools, with a clear notice", async () => {
  const call = (id: string) => toolCalls([{ id, name: "current_time", arguments: {} }]);
  const h = await harness({
    config: { agents: { defaults: { model: { primary: "test/m" }, maxSteps: 3 } } },
    tools: [createCurrentTimeTool({ clock: { now: () => 0 } })],
    steps: [call("1"), call("2"), call("3"), call("4")],
  });
  try {
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "loop" })).done;
    assert.equal(r.status, "ok");
    assert.equal(h.model.calls.length, 3);
    assert.equal(r.steps, 3);
    assert.match(r.text, /Stopped after 3 model steps/);
    const entries = (await h.runtime.history("s")).entries;
    const notice = entries[entries.length - 1]!;
    assert.equal(notice.kind, "notice");
    assert.deepEqual(notice.content, { text: r.text, code: "MAX_STEPS" });
    // Every call got its result before the run ended.
    assert.equal(entries.filter((e) => e.kind === "tool_call").length, 3);
    assert.equal(entries.filter((e) => e.kind === "tool_result").length, 3);
  } finally {
    await h.close();
  }
});

Deno.test("abort: reaches the model stream; the run ends aborted with the partial text kept", async () => {
  const h = await harness({ steps: [{ events: [{ type: "text", delta: "partial" }], hang: true }] });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go" });
    await until(() => h.chatEvents(handle.runId).length > 0, "first delta");
    assert.equal(h.runtime.activeRun("s"), handle.runId);
    assert.equal(h.runtime.abort(handle.runId), true);
    const r = await handle.done;
    assert.equal(r.status, "aborted");
    assert.equal(r.error?.code, "ABORTED");
    assert.equal(r.text, "partial");
    assert.equal(h.model.calls[0]!.sawAbort, true, "the model stream saw the abort signal");
    const chat = h.chatEvents(r.runId);
    assert.equal(chat[chat.length - 1]!.state, "aborted");
    assert.equal(h.runtime.abort(handle.runId), false, "no longer running");
    assert.equal(h.runtime.activeRun("s"), undefined);
    const kinds = (await h.runtime.history("s")).entries.map((e) => e.kind);
    assert.deepEqual(kinds, ["user", "assistant", "notice"]);
  } finally {
    await h.close();
  }
});

Deno.test("abort: a caller's AbortSignal stops a provider that ignores the signal", async () => {
  const h = await harness({ steps: [{ hang: true, ignoreSignal: true }] });
  try {
    const ac = new AbortController();
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go", signal: ac.signal });
    await until(() => h.model.calls.length === 1, "model call");
    ac.abort();
    const r = await handle.done;
    assert.equal(r.status, "aborted");
  } finally {
    await h.close();
  }
});

Deno.test("abort: a running tool sees the signal and the call gets the interrupted result", async () => {
  const { def, state } = blockingTool();
  const h = await harness({
    tools: [def],
    steps: [
      toolCalls([{ id: "t1", name: "block", arguments: {} }, { id: "t2", name: "block", arguments: {} }]),
    ],
  });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go" });
    await until(() => state.started === 1, "tool start");
    h.runtime.abort(handle.runId);
    const r = await handle.done;
    assert.equal(r.status, "aborted");
    assert.equal(state.sawAbort, true);
    assert.equal(state.started, 1, "the second call never started");
    const results = (await h.runtime.history("s")).entries.filter((e) => e.kind === "tool_result");
    assert.deepEqual(results.map((e) => (e.content as { content: string }).content), [
      INTERRUPTED_RESULT,
      INTERRUPTED_RESULT,
    ]);
    const toolMs = (await h.store.milestones.forRun(r.runId)).filter((m) => m.kind === "tool.call");
    assert.deepEqual(toolMs.map((m) => m.data.outcome), ["aborted", "aborted"]);
  } finally {
    await h.close();
  }
});

Deno.test("timeout: a run past agents.defaults.runTimeoutMs ends with TIMEOUT (fake clock)", async () => {
  const h = await harness({
    config: { agents: { defaults: { model: { primary: "test/m" }, runTimeoutMs: 5000 } } },
    steps: [{ hang: true }],
  });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go" });
    await until(() => h.model.calls.length === 1, "model call");
    h.clock.tick(4999);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(h.runtime.activeRun("s"), handle.runId, "still running before the timeout");
    h.clock.tick(1);
    const r = await handle.done;
    assert.equal(r.status, "error");
    assert.equal(r.error?.code, "TIMEOUT");
    assert.match(r.text, /longer than 5 s/);
    assert.equal(h.model.calls[0]!.sawAbort, true);
    assert.equal(h.clock.pending, 0, "the timer is cleared");
  } finally {
    await h.close();
  }
});

Deno.test("wait: times out on the clock, then returns the result", async () => {
  const h = await harness({ steps: [{ hang: true }] });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "go" });
    const waiting = h.runtime.wait(handle.runId, 1000);
    h.clock.tick(1000);
    assert.deepEqual(await waiting, { runId: handle.runId, status: "timeout" });
    const again = h.runtime.wait(handle.runId, 60_000);
    h.runtime.abort(handle.runId);
    assert.equal((await again as { status: string }).status, "aborted");
  } finally {
    await h.close();
  }
});

Deno.test("steer: the message joins before the next model call; unstarted tool calls are skipped", async () => {
  const { def, state } = blockingTool();
  let runId = "";
  const h = await harness({
    tools: [def],
    steps: [
      toolCalls([{ id: "t1", name: "block", arguments: {} }, { id: "t2", name: "block", arguments: {} }]),
      answer("ok, switching to the new question"),
    ],
  });
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "first" });
    runId = handle.runId;
    await until(() => state.started === 1, "tool start");
    assert.equal(h.runtime.injectSteer(runId, "   "), false, "blank steering text is refused");
    assert.equal(h.runtime.injectSteer(runId, "actually, something else"), true);
    state.release();
    const r = await handle.done;
    assert.equal(r.status, "ok");
    assert.equal(state.started, 1, "t2 was skipped");
    const msgs = h.model.calls[1]!.req.messages;
    assert.deepEqual(msgs.slice(2), [
      { role: "tool", toolCallId: "t1", name: "block", content: "released" },
      { role: "tool", toolCallId: "t2", name: "block", content: SKIPPED_FOR_STEER, isError: true },
      { role: "user", content: "actually, something else" },
    ]);
    assert.equal(h.runtime.injectSteer(runId, "too late"), false);
    assert.equal(h.runtime.injectSteer("run_unknown", "x"), false);
  } finally {
    await h.close();
  }
});

Deno.test("steer: a message that arrives during the final answer still gets an answer in the same run", async () => {
  let runId = "";
  let steered = false;
  const h = await harness({ steps: [] });
  h.model.push(
    {
      events: answer("first answer"),
      onStart: () => {
        steered = h.runtime.injectSteer(runId, "and one more thing");
      },
    },
    answer("second answer"),
  );
  try {
    const handle = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "q" });
    runId = handle.runId;
    const r = await handle.done;
    assert.equal(steered, true);
    assert.equal(r.steps, 2);
    assert.equal(r.text, "first answer\n\nsecond answer");
    assert.deepEqual(h.model.calls[1]!.req.messages.at(-1), { role: "user", content: "and one more thing" });
  } finally {
    await h.close();
  }
});

Deno.test("repair: a crash mid-tool leaves an orphaned call; the next run repairs it before the model call", async () => {
  const h = await harness({ steps: [answer("recovered")] });
  try {
    const repos = agentStoreFrom(h.store);
    const session = await repos.sessions.ensure("s", "main");
    // What a crash after the tool started leaves behind: the call, no result.
    await repos.transcripts.append(session.sessionId, [
      { kind: "user", content: { text: "run the thing" }, tokens: 4, runId: "run_old" },
      { kind: "assistant", content: { text: "" }, tokens: 1, runId: "run_old" },
      {
        kind: "tool_call",
        content: { id: "x1", name: "exec", arguments: { cmd: "sleep" } },
        tokens: 8,
        runId: "run_old",
      },
    ]);
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "hello again" })).done;
    assert.equal(r.status, "ok");
    assert.deepEqual(h.model.calls[0]!.req.messages, [
      { role: "user", content: "run the thing" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "x1", name: "exec", arguments: { cmd: "sleep" } }],
      },
      { role: "tool", toolCallId: "x1", name: "exec", content: INTERRUPTED_RESULT, isError: true },
      { role: "user", content: "hello again" },
    ]);
    const stored = (await h.runtime.history("s")).entries.find((e) => e.kind === "tool_result");
    assert.equal((stored?.content as { synthetic?: boolean }).synthetic, true, "the repair is persisted");
  } finally {
    await h.close();
  }
});

Deno.test("abort: a run stopped while queued behind another never touches the transcript", async () => {
  const h = await harness({ steps: [{ hang: true }] });
  try {
    const first = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "first" });
    const second = await h.runtime.start({ agentId: "main", sessionKey: "s", text: "second" });
    await until(() => h.model.calls.length === 1, "first model call");
    assert.equal(h.runtime.activeRun("s"), first.runId, "the queued run is not the active one");
    assert.equal(h.runtime.abort(second.runId), true);
    h.runtime.abort(first.runId);
    assert.equal((await second.done).status, "aborted");
    assert.equal(h.model.calls.length, 1);
    const texts = (await h.runtime.history("s")).entries.filter((e) => e.kind === "user").map((e) =>
      e.content
    );
    assert.deepEqual(texts, [{ text: "first" }]);
  } finally {
    await h.close();
  }
});
