import assert from "node:assert/strict";
import { agentStoreFrom } from "../../src/agent/mod.ts";
import {
  estimateEntryTokens,
  estimateTokens,
  needsCompaction,
  planCompaction,
} from "../../src/agent/compaction.ts";
import { ProviderError } from "../../src/providers/types.ts";
import type { NewTranscriptEntry, TranscriptEntry } from "../../src/store/transcripts.ts";
import { answer } from "../fakes/scripted_model.ts";
import { harness } from "./helpers.ts";

const CONFIG = {
  agents: { defaults: { model: { primary: "test/m" } } },
  models: { contextWindows: { "test/m": 2000 } },
};

function turn(i: number, size: number): NewTranscriptEntry[] {
  const u = { text: `question ${i} ` + "q".repeat(size) };
  const a = { text: `answer ${i} ` + "a".repeat(size) };
  return [
    { kind: "user", content: u, tokens: estimateEntryTokens(u) },
    { kind: "assistant", content: a, tokens: estimateEntryTokens(a) },
  ];
}

async function seed(h: Awaited<ReturnType<typeof harness>>, turns: number, size: number) {
  const repos = agentStoreFrom(h.store);
  const s = await repos.sessions.ensure("s", "main");
  for (let i = 1; i <= turns; i++) await repos.transcripts.append(s.sessionId, turn(i, size));
  return s.sessionId;
}

Deno.test("estimates: chars/4 rounded up; threshold at 75% of the window", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("abcd"), 1);
  assert.equal(estimateTokens("abcde"), 2);
  assert.equal(needsCompaction(749, 1000), false);
  assert.equal(needsCompaction(750, 1000), true);
});

Deno.test("planCompaction: splits only at a user turn with no open tool call, keeps at least the last turn", () => {
  let seq = 0;
  const e = (kind: TranscriptEntry["kind"], content: unknown, tokens = 10) =>
    ({ kind, content, tokens, seq: ++seq, id: seq, sessionId: "s", ts: 0 }) as TranscriptEntry;
  const entries = [
    e("user", { text: "u1" }),
    e("assistant", { text: "" }),
    e("tool_call", { id: "c1", name: "t", arguments: {} }),
    e("user", { text: "steer while the call is open" }), // not a valid split: c1 has no result yet
    e("tool_result", { toolCallId: "c1", name: "t", content: "r" }),
    e("assistant", { text: "a1" }),
    e("user", { text: "u2" }),
    e("assistant", { text: "a2" }),
  ];
  const plan = planCompaction(entries, 0)!;
  assert.deepEqual(plan.keep.map((x) => x.seq), [7, 8]);
  assert.deepEqual(plan.summarise.map((x) => x.seq), [1, 2, 3, 4, 5, 6]);
  // With room to keep more, it still never splits inside the open call.
  assert.deepEqual(planCompaction(entries, 55)!.keep.map((x) => x.seq), [7, 8]);
  assert.equal(planCompaction(entries.slice(0, 6), 0), undefined, "a single turn cannot be compacted");
  assert.equal(planCompaction([], 0), undefined);
});

Deno.test("compaction: near the window the older turns are summarised into a compaction entry", async () => {
  const h = await harness({
    config: CONFIG,
    steps: [answer("SUMMARY: the user asked six questions"), answer("fine")],
  });
  try {
    const sessionId = await seed(h, 6, 500);
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "and now?" })).done;
    assert.equal(r.status, "ok");
    assert.equal(h.model.calls.length, 2);
    const summaryReq = h.model.calls[0]!.req;
    assert.match(summaryReq.system, /Summarise the conversation/);
    assert.deepEqual(summaryReq.tools, []);
    assert.match(summaryReq.messages[0]!.content as string, /question 1/);
    const main = h.model.calls[1]!.req;
    assert.match(
      main.system,
      /## Summary of the earlier conversation\nSUMMARY: the user asked six questions/,
    );
    const sent = JSON.stringify(main.messages);
    assert.ok(!sent.includes("question 1 "), "the oldest turn is no longer sent");
    assert.equal(main.messages.at(-1)!.content, "and now?");
    assert.equal(main.messages[0]!.role, "user");
    const c = await agentStoreFrom(h.store).transcripts.last(sessionId, "compaction");
    assert.ok(c && c.kind === "compaction");
    assert.ok(c.content.tokensAfter < c.content.tokensBefore);
    assert.ok(h.agentEvents(r.runId).some((e) => e.data.phase === "compaction"));

    // The next run starts from the compaction: no new summary call, the summary is in the prompt.
    h.model.push(answer("still fine"));
    await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "more" })).done;
    assert.equal(h.model.calls.length, 3);
    assert.match(h.model.calls[2]!.req.system, /SUMMARY: the user asked six questions/);
  } finally {
    await h.close();
  }
});

Deno.test("compaction: a context_overflow error compacts and retries once", async () => {
  const overflow = () =>
    new ProviderError("context_overflow", "prompt is too long", { provider: "test", status: 400 });
  const h = await harness({
    config: CONFIG,
    steps: [{ error: overflow() }, answer("short summary"), answer("answered")],
  });
  try {
    await seed(h, 2, 10);
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "q" })).done;
    assert.equal(r.status, "ok");
    assert.equal(r.text, "answered");
    assert.equal(h.model.calls.length, 3);
    assert.match(h.model.calls[2]!.req.system, /short summary/);
    assert.deepEqual(
      h.model.calls[2]!.req.messages,
      [{ role: "user", content: "q" }],
      "aggressive: only the current turn",
    );
  } finally {
    await h.close();
  }
  const h2 = await harness({
    config: CONFIG,
    steps: [{ error: overflow() }, answer("summary"), { error: overflow() }],
  });
  try {
    await seed(h2, 2, 10);
    const r = await (await h2.runtime.start({ agentId: "main", sessionKey: "s", text: "q" })).done;
    assert.equal(r.status, "error");
    assert.equal(r.error?.code, "PROVIDER_ERROR");
    assert.match(r.error?.message ?? "", /prompt is too long/, "the details stay in the error");
    assert.match(r.text, /too long for the model; send \/new/, "the user gets one friendly sentence");
    assert.equal(h2.model.calls.length, 3, "retried only once");
  } finally {
    await h2.close();
  }
});

Deno.test("compaction: /compact forces it without a reply from the model", async () => {
  const h = await harness({ config: CONFIG, steps: [answer("forced summary")] });
  try {
    await seed(h, 2, 10);
    const r = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "/compact" })).done;
    assert.equal(r.command, "compact");
    assert.match(r.text, /^Compacted the conversation/);
    assert.equal(h.model.calls.length, 1);
    const again = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "/compact" })).done;
    assert.match(again.text, /Nothing compacted/);
    assert.equal(h.model.calls.length, 1);
    const fresh = await (await h.runtime.start({ agentId: "main", sessionKey: "new", text: "/compact" }))
      .done;
    assert.match(fresh.text, /no messages yet/);
  } finally {
    await h.close();
  }
});
