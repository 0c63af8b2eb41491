/** Pure logic of the Control UI over real method shapes: the run timeline, command lines, transcripts. */
import assert from "node:assert/strict";
import { buildTimeline } from "../../web/src/lib/timeline.ts";
import { commandLine } from "../../web/src/lib/format.ts";
import {
  applyChatEvent,
  type ChatItem,
  itemsFromHistory,
  mergeHistory,
} from "../../web/src/lib/chat_model.ts";

Deno.test("timeline: milestones and approval audit rows in order; the tool call shows its approval", () => {
  const ms = (id: number, ts: number, kind: string, data: Record<string, unknown> = {}) => ({
    id,
    ts,
    kind,
    data,
  });
  const items = buildTimeline({
    runId: "run_1",
    milestones: [
      ms(1, 100, "queued", { waitMs: 0 }),
      ms(3, 101, "run.start", { agentId: "main" }),
      ms(2, 101, "lane.start", { shard: 0 }), // same ts, stored later: lanes order first by kind
      ms(4, 105, "model.attempt", { provider: "echo", ok: true }),
      ms(5, 900, "tool.call", { tool: "exec", outcome: "ok" }),
      ms(6, 901, "model.attempt", { provider: "echo", ok: true }),
      ms(7, 902, "run.end", { status: "ok" }),
      ms(8, 902, "egress", { state: "streamed" }),
      ms(9, 903, "lane.end", { status: "done" }),
    ],
    audit: [
      {
        id: 1,
        ts: 106,
        kind: "approval",
        outcome: "requested",
        detail: { id: "appr_1", tool: "exec", argv: ["ls"] },
      },
      {
        id: 2,
        ts: 400,
        kind: "approval",
        outcome: "allow-once",
        actor: "credential:gw",
        detail: { id: "appr_1", tool: "exec" },
      },
      { id: 3, ts: 902, kind: "agent.run", outcome: "ok" },
    ],
  });
  assert.deepEqual(items.map((i) => i.kind), [
    "queued",
    "lane.start",
    "run.start",
    "model.attempt",
    "approval",
    "approval",
    "tool.call",
    "model.attempt",
    "run.end",
    "egress",
    "lane.end",
  ]);
  assert.deepEqual(items[4]!.data, {
    decision: "requested",
    tool: "exec",
    argv: ["ls"],
    cwd: undefined,
    approvalId: "appr_1",
  });
  assert.equal(items[5]!.data.by, "credential:gw");
  assert.equal(items[6]!.data.approval, "allow-once");
  assert.deepEqual(buildTimeline(undefined), []);
});

Deno.test("timeline: a tool call without an approval has none; one decision is used once", () => {
  const items = buildTimeline({
    milestones: [
      { id: 1, ts: 10, kind: "tool.call", data: { tool: "exec" } },
      { id: 2, ts: 30, kind: "tool.call", data: { tool: "exec" } },
      { id: 3, ts: 40, kind: "tool.call", data: { tool: "exec" } },
    ],
    audit: [{ id: 1, ts: 20, kind: "approval", outcome: "deny", detail: { tool: "exec" } }],
  });
  assert.deepEqual(items.filter((i) => i.kind === "tool.call").map((i) => i.data.approval), [
    undefined,
    "deny",
    undefined,
  ]);
});

Deno.test("commandLine quotes what a shell would split or expand", () => {
  assert.equal(commandLine(["echo", "hi"]), "echo hi");
  assert.equal(commandLine(["rm", "-rf", "my dir"]), "rm -rf 'my dir'");
  assert.equal(commandLine(["sh", "-c", "echo $HOME; it's"]), `sh -c 'echo $HOME; it'\\''s'`);
  assert.equal(commandLine(["printf", ""]), "printf ''");
  assert.equal(commandLine(["a".repeat(10)], 4), "aaaa…");
  assert.equal(commandLine(undefined), "");
});

Deno.test("transcript: tool_call/tool_result entries become one card; a stopped run's error is shown once", () => {
  const entries = [
    { seq: 1, kind: "user", runId: "run_a", content: { text: "/tool exec {}" } },
    {
      seq: 2,
      kind: "tool_call",
      runId: "run_a",
      content: { id: "c1", name: "exec", arguments: { argv: ["echo"] } },
    },
    {
      seq: 3,
      kind: "tool_result",
      runId: "run_a",
      content: { toolCallId: "c1", name: "exec", content: "Exit code 0." },
    },
    { seq: 4, kind: "notice", runId: "run_a", content: { text: "The run was stopped." } },
    {
      seq: 5,
      kind: "compaction",
      content: { summary: "…", firstKeptSeq: 1, tokensBefore: 900, tokensAfter: 100 },
    },
  ];
  const history = itemsFromHistory(entries);
  assert.deepEqual(history.map((i) => i.role), ["user", "assistant", "notice", "notice"]);
  assert.deepEqual(history[1]!.tools, [{
    id: "c1",
    name: "exec",
    args: { argv: ["echo"] },
    status: "ok",
    output: "Exit code 0.",
    at: 0,
  }]);
  assert.match(history[3]!.text, /900 → 100/);

  let live: ChatItem[] = [];
  live = applyChatEvent(live, {
    runId: "run_a",
    sessionKey: "k",
    seq: 1,
    state: "aborted",
    message: { role: "assistant", content: "" },
    errorMessage: "The run was stopped.",
  });
  assert.equal(live[0]!.error, "The run was stopped.");
  const merged = mergeHistory(live, history);
  const assistant = merged.find((i) => i.role === "assistant")!;
  assert.equal(assistant.state, "aborted");
  assert.equal(assistant.error, undefined, "the transcript's notice says it");
  assert.equal(merged.filter((i) => i.text === "The run was stopped.").length, 1);
  // Another error text stays.
  const other = mergeHistory(applyChatEvent([], { ...liveEvent(), errorMessage: "provider down" }), history);
  assert.equal(other.find((i) => i.role === "assistant")!.error, "provider down");
});

function liveEvent() {
  return {
    runId: "run_a",
    sessionKey: "k",
    seq: 1,
    state: "error" as const,
    message: { role: "assistant", content: "" },
  };
}

Deno.test("a finished run keeps the tool durations seen live (the transcript has none)", () => {
  const history = itemsFromHistory([
    { seq: 1, kind: "tool_call", runId: "run_b", content: { id: "c1", name: "exec", arguments: {} } },
    {
      seq: 2,
      kind: "tool_result",
      runId: "run_b",
      content: { toolCallId: "c1", name: "exec", content: "ok" },
    },
    { seq: 3, kind: "assistant", runId: "run_b", content: { text: "done" } },
  ]);
  const live: ChatItem[] = [{
    key: "a:run_b",
    role: "assistant",
    text: "done",
    runId: "run_b",
    state: "final",
    chatSeq: 3,
    tools: [{ id: "c1", name: "exec", args: {}, status: "ok", ms: 35, output: "ok" }],
  }];
  const merged = mergeHistory(live, history);
  assert.equal(merged.length, 1);
  assert.equal(merged[0]!.tools[0]!.ms, 35);
  assert.equal(mergeHistory([], history)[0]!.tools[0]!.ms, undefined);
});
