/**
 * `memory.includeTranscripts`: past transcripts of the owner's own sessions are searchable (off by default);
 * a transcript where anyone else ran a turn never is, nor another agent's; growth is indexed incrementally.
 */
import assert from "node:assert/strict";
import { createMemoryService } from "../../src/memory/service.ts";
import { createTranscriptRepo } from "../../src/store/transcripts.ts";
import type { Store } from "../../src/store/mod.ts";
import { memoryConfig, memoryRig } from "./fixture.ts";

const ON = () => ({
  memory: { includeTranscripts: true, embedding: { provider: "emb", model: "fake-embed", dimensions: 64 } },
});

/** One finished run in a transcript: the user's text, the reply, and the run's audit row. */
async function turn(
  store: Store,
  t: { agentId?: string; sessionKey: string; sessionId: string; principal: string; runId: string },
  user: string,
  reply: string,
  opts: { finished?: boolean } = {},
) {
  await createTranscriptRepo(store.db).append(t.sessionId, [
    { kind: "user", content: { text: user }, runId: t.runId, tokens: 10 },
    { kind: "assistant", content: { text: reply }, runId: t.runId, tokens: 10 },
  ]);
  if (opts.finished === false) return;
  await store.audit.record({
    kind: "agent.run",
    outcome: "ok",
    runId: t.runId,
    sessionKey: t.sessionKey,
    principal: t.principal,
    detail: { agentId: t.agentId ?? "main", sessionId: t.sessionId },
  });
}

const OWNER_MAIN = { sessionKey: "agent:main:main", sessionId: "s-owner", principal: "owner:telegram:1" };

Deno.test("transcripts: off by default, nothing of a conversation is indexed", async () => {
  await using rig = await memoryRig();
  await turn(rig.store, { ...OWNER_MAIN, runId: "r1" }, "Our boat is called Marigold.", "Noted: Marigold.");
  const r = await rig.service.search("main", "Marigold boat", { k: 5 });
  assert.deepEqual(r.hits, []);
  assert.equal((await rig.service.status("main")).files, 0);
});

Deno.test("transcripts: the owner's past conversation is found, with its path and entry numbers", async () => {
  await using rig = await memoryRig({ extra: ON });
  await turn(rig.store, { ...OWNER_MAIN, runId: "r1" }, "Our boat is called Marigold.", "Noted: Marigold.");
  // Heartbeat (cron) turns in the owner's main session do not disqualify it.
  await turn(
    rig.store,
    { ...OWNER_MAIN, principal: "cron:heartbeat", runId: "r2" },
    "Heartbeat",
    "HEARTBEAT_OK",
  );
  const r = await rig.service.search("main", "Marigold boat", { k: 5 });
  assert.equal(r.hits[0]?.path, "transcript:agent:main:main:s-owner");
  assert.match(r.hits[0]!.snippet, /^User: Our boat is called Marigold\.\n\nAssistant: Noted: Marigold\./);
  assert.deepEqual([r.hits[0]!.startLine, r.hits[0]!.endLine], [1, 4]);
});

Deno.test("transcripts: a paired user's, a group's or a hook's conversation is never searchable", async () => {
  await using rig = await memoryRig({ extra: ON });
  const secret = (w: string) => `The code word is ${w}.`;
  await turn(
    rig.store,
    {
      sessionKey: "agent:main:telegram:direct:7",
      sessionId: "s-user",
      principal: "user:telegram:7",
      runId: "u1",
    },
    secret("Quokkaberry"),
    "Understood.",
  );
  await turn(
    rig.store,
    {
      sessionKey: "agent:main:discord:group:9",
      sessionId: "s-group",
      principal: "group:discord:9",
      runId: "g1",
    },
    secret("Pangolino"),
    "Sure.",
  );
  // A transcript the owner shares with a hook caller: excluded as a whole, the owner's turn too.
  const shared = { sessionKey: "agent:main:hook:deploy", sessionId: "s-shared" };
  await turn(rig.store, { ...shared, principal: "owner", runId: "o1" }, secret("Axolotlium"), "Ok.");
  await turn(rig.store, { ...shared, principal: "hook:deploy", runId: "h1" }, "deploy done", "Ok.");
  // An owner run that has not finished yet (no audit row): not read before it ends.
  await turn(rig.store, { ...OWNER_MAIN, runId: "r1" }, "Plain owner chat.", "Fine.");
  await turn(rig.store, { ...OWNER_MAIN, runId: "r2" }, secret("Narwhalite"), "Ok.", { finished: false });

  for (const word of ["Quokkaberry", "Pangolino", "Axolotlium", "Narwhalite"]) {
    const r = await rig.service.search("main", `code word ${word}`, { k: 10 });
    assert.ok(r.hits.every((h) => !h.snippet.includes(word)), word);
    assert.deepEqual([...new Set(r.hits.map((h) => h.path))], ["transcript:agent:main:main:s-owner"], word);
  }
  const status = await rig.service.status("main");
  assert.equal(status.files, 1, "only the owner's main transcript is a source");
});

Deno.test("transcripts: another agent's conversations are never found", async () => {
  await using rig = await memoryRig({ extra: ON });
  await turn(
    rig.store,
    {
      agentId: "other",
      sessionKey: "agent:other:main",
      sessionId: "s-other",
      principal: "owner",
      runId: "x1",
    },
    "The lighthouse keeper is Bartholomew.",
    "Got it.",
  );
  // An audit row that names agent main for a session key of agent other is not enough.
  await turn(
    rig.store,
    {
      agentId: "main",
      sessionKey: "agent:other:telegram:direct:1",
      sessionId: "s-other2",
      principal: "owner",
      runId: "x2",
    },
    "Bartholomew again.",
    "Ok.",
  );
  const mine = await rig.service.search("main", "Bartholomew lighthouse", { k: 5 });
  assert.deepEqual(mine.hits, []);
  const theirs = await rig.service.search("other", "Bartholomew lighthouse", { k: 5 });
  assert.equal(theirs.hits[0]?.path, "transcript:agent:other:main:s-other");
});

Deno.test("transcripts: a growing transcript is re-indexed incrementally; turning the option off drops it", async () => {
  await using rig = await memoryRig({ extra: ON });
  const long = "x".repeat(1500);
  for (let i = 1; i <= 4; i++) {
    await turn(rig.store, { ...OWNER_MAIN, runId: `r${i}` }, `Message ${i}: ${long}`, `Reply ${i}.`);
  }
  const first = await rig.service.index("main");
  assert.equal(first.changedFiles, 1);
  assert.equal(first.embedded, first.chunksAdded);
  assert.ok(first.chunksAdded >= 3, JSON.stringify(first));

  const same = await rig.service.index("main");
  assert.deepEqual([same.changedFiles, same.chunksAdded, same.embedded], [0, 0, 0]);

  await turn(rig.store, { ...OWNER_MAIN, runId: "r5" }, "The spare key is under the blue flowerpot.", "Ok.");
  const grown = await rig.service.index("main");
  assert.equal(grown.changedFiles, 1);
  assert.ok(
    grown.chunksAdded <= 2 && grown.chunksRemoved <= 1,
    `only the tail changes: ${JSON.stringify(grown)}`,
  );
  assert.ok(grown.chunksAdded > 0 && grown.embedded === grown.chunksAdded, `only new chunks are embedded`);
  const r = await rig.service.search("main", "spare key flowerpot", { k: 3 });
  assert.equal(r.hits[0]?.path, "transcript:agent:main:main:s-owner");
  const [from, to] = [r.hits[0]!.startLine, r.hits[0]!.endLine];
  assert.ok(from <= 9 && to >= 9, `the chunk holding the new entry 9, got lines ${from}–${to}`);

  const off = createMemoryService({
    db: rig.store.db,
    config: () => memoryConfig({ agents: { list: [{ id: "main" }] } }),
    workspaceFor: (id) => `${rig.dir}/ws/${id}`,
    clock: rig.clock,
    syncEveryMs: 0,
  });
  const dropped = await off.index("main");
  assert.equal(dropped.removedFiles, 1);
  assert.deepEqual((await off.search("main", "spare key flowerpot", { k: 3 })).hits, []);
});
