/** The silent "write down what matters" turn before an owner's conversation is compacted. */
import assert from "node:assert/strict";
import { agentStoreFrom } from "../../src/agent/mod.ts";
import { estimateEntryTokens } from "../../src/agent/compaction.ts";
import type { NewTranscriptEntry } from "../../src/store/transcripts.ts";
import type { PrincipalKind } from "../../src/core/principal.ts";
import { answer } from "../fakes/scripted_model.ts";
import { harness } from "./helpers.ts";

const CONFIG = {
  agents: { defaults: { model: { primary: "test/m" } } },
  models: { contextWindows: { "test/m": 2000 } },
};

async function longSession(flushConfig: boolean | undefined, principal: PrincipalKind, steps: string[]) {
  const h = await harness({
    config: flushConfig === undefined
      ? CONFIG
      : { ...CONFIG, memory: { flushBeforeCompaction: flushConfig } },
    steps: steps.map((s) => answer(s)),
  });
  const repos = agentStoreFrom(h.store);
  const s = await repos.sessions.ensure("agent:main:main", "main");
  const entries: NewTranscriptEntry[] = [];
  for (let i = 1; i <= 6; i++) {
    const u = { text: `question ${i}: my sister Zephyrine visits on the ${i}th ` + "q".repeat(500) };
    const a = { text: `answer ${i} ` + "a".repeat(500) };
    entries.push({ kind: "user", content: u, tokens: estimateEntryTokens(u) });
    entries.push({ kind: "assistant", content: a, tokens: estimateEntryTokens(a) });
  }
  await repos.transcripts.append(s.sessionId, entries);
  const r = await (await h.runtime.start({
    agentId: "main",
    sessionKey: "agent:main:main",
    text: "and now?",
    principal: { kind: principal },
  })).done;
  return { h, r, note: `${h.home}/workspace/main/memory/2025-05-06.md`, sessionId: s.sessionId };
}

Deno.test("before compaction an owner run writes what matters to today's note, silently", async () => {
  const { h, r, note, sessionId } = await longSession(undefined, "owner", [
    "- The user's sister Zephyrine visits on the 6th.\n- Prefers short answers.",
    "SUMMARY: six questions",
    "fine",
  ]);
  try {
    assert.equal(r.status, "ok");
    assert.equal(r.text, "fine");
    assert.equal(h.model.calls.length, 3);
    const flush = h.model.calls[0]!.req;
    assert.match(flush.system, /about to be shortened/);
    assert.deepEqual(flush.tools, []);
    assert.match(flush.messages[0]!.content as string, /Zephyrine/);
    const text = await Deno.readTextFile(note);
    assert.match(
      text,
      /^\n## Notes before compaction \(12:00 UTC\)\n- The user's sister Zephyrine visits on the 6th\.\n- Prefers short answers\.\n$/,
    );
    const kept = JSON.stringify(await agentStoreFrom(h.store).transcripts.list(sessionId));
    assert.ok(!kept.includes("Prefers short answers"), "the flush is not in the transcript");
  } finally {
    await h.close();
  }
});

Deno.test("no flush for non-owner runs, when turned off, or when the model has nothing", async () => {
  for (const [cfg, principal] of [[undefined, "group"], [false, "owner"]] as const) {
    const { h, note } = await longSession(cfg, principal, ["SUMMARY", "fine"]);
    try {
      assert.equal(h.model.calls.length, 2, `${principal} ${cfg}`);
      assert.doesNotMatch(h.model.calls[0]!.req.system, /about to be shortened/);
      await assert.rejects(Deno.stat(note), Deno.errors.NotFound);
    } finally {
      await h.close();
    }
  }
  const { h, note } = await longSession(undefined, "owner", ["NOTHING", "SUMMARY", "fine"]);
  try {
    assert.equal(h.model.calls.length, 3);
    await assert.rejects(Deno.stat(note), Deno.errors.NotFound);
  } finally {
    await h.close();
  }
});
