import assert from "node:assert/strict";
import { CORPUS, memoryRig, writeCorpus } from "./fixture.ts";

Deno.test("memory search: keyword-only, paraphrase-only and combined queries find the expected notes", async () => {
  await using rig = await memoryRig();
  await writeCorpus(`${rig.dir}/ws/main`);
  const report = await rig.service.index("main");
  assert.equal(report.files, 4);
  assert.ok(report.embedded > 0 && !report.embedError, JSON.stringify(report));

  // A rare name: only the keyword half can know it.
  const kw = await rig.service.search("main", "Zephyrine", { k: 3 });
  assert.equal(kw.mode, "hybrid");
  assert.equal(kw.hits[0]?.path, "MEMORY.md");
  assert.ok(kw.hits[0]!.matchedBy.includes("keyword"));
  assert.match(kw.hits[0]!.snippet, /Zephyrine/);

  // No word of the query is in the note ("automobile mechanic" vs "car … garage"): vectors only.
  const para = await rig.service.search("main", "automobile mechanic", { k: 3 });
  assert.equal(para.hits[0]?.path, "memory/2025-01-10.md", JSON.stringify(para.hits));
  assert.deepEqual(para.hits[0]!.matchedBy, ["vector"]);
  assert.ok(para.hits[0]!.startLine >= 1 && para.hits[0]!.endLine >= para.hits[0]!.startLine);

  // Both signals agree on the dentist note.
  const both = await rig.service.search("main", "dentist checkup", { k: 3 });
  assert.equal(both.hits[0]?.path, "memory/2025-01-12.md");
  assert.deepEqual(both.hits[0]!.matchedBy, ["keyword", "vector"]);
  assert.ok(both.hits[0]!.score > 0);
});

Deno.test("memory search without an embedding provider is keyword-only and says so", async () => {
  await using rig = await memoryRig({ embeddings: false });
  await writeCorpus(`${rig.dir}/ws/main`);
  const status0 = await rig.service.status("main");
  assert.equal(status0.mode, "keyword");
  assert.match(status0.note, /No embedding provider.*keyword search only/);
  const r = await rig.service.search("main", "tomatoes basil", { k: 2 });
  assert.equal(r.mode, "keyword");
  assert.equal(r.hits[0]?.path, "memory/projects.md");
  const para = await rig.service.search("main", "automobile mechanic", { k: 2 });
  assert.deepEqual(para.hits, [], "no vectors: a paraphrase finds nothing");
  assert.equal(rig.fake.requests.length, 0);
  const status = await rig.service.status("main");
  assert.equal(status.files, 4);
  assert.equal(status.vectors, 0);
});

Deno.test("re-index touches only changed chunks; a deleted file disappears from results", async () => {
  await using rig = await memoryRig();
  const ws = `${rig.dir}/ws/main`;
  await writeCorpus(ws);
  const first = await rig.service.index("main");
  const embeddedTexts = rig.fake.requests.flatMap((r) => r.input).length;
  assert.equal(embeddedTexts, first.embedded);

  const again = await rig.service.index("main");
  assert.equal(again.changedFiles, 0);
  assert.equal(again.chunksAdded, 0);
  assert.equal(again.embedded, 0);

  // Append one paragraph to projects.md: its old chunks stay, one new chunk is embedded.
  await Deno.writeTextFile(
    `${ws}/memory/projects.md`,
    CORPUS["memory/projects.md"] + "\n## Kayak\nRepainting the kayak hull orange.\n",
  );
  rig.fake.requests.length = 0;
  const changed = await rig.service.index("main");
  assert.equal(changed.changedFiles, 1);
  assert.ok(changed.chunksAdded >= 1 && changed.chunksAdded <= 2, JSON.stringify(changed));
  const sent = rig.fake.requests.flatMap((r) => r.input);
  assert.equal(sent.length, changed.embedded);
  assert.ok(sent.every((t) => /kayak/i.test(t)), `only the new text is embedded: ${JSON.stringify(sent)}`);
  assert.equal((await rig.service.search("main", "kayak hull")).hits[0]?.path, "memory/projects.md");

  await Deno.remove(`${ws}/memory/2025-01-10.md`);
  const removed = await rig.service.index("main");
  assert.equal(removed.removedFiles, 1);
  const after = await rig.service.search("main", "car garage brakes", { k: 5 });
  assert.ok(after.hits.every((h) => h.path !== "memory/2025-01-10.md"), JSON.stringify(after.hits));
  const status = await rig.service.status("main");
  assert.equal(status.chunks, status.vectors, "no vector left behind for deleted chunks");
});

Deno.test("forced re-index takes vectors from the cache by content hash", async () => {
  await using rig = await memoryRig();
  await writeCorpus(`${rig.dir}/ws/main`);
  await rig.service.index("main");
  rig.fake.requests.length = 0;
  const forced = await rig.service.index("main", { force: true });
  assert.equal(forced.changedFiles, 4);
  assert.equal(forced.embedded, 0);
  assert.ok(forced.cached > 0);
  assert.equal(rig.fake.requests.length, 0);
});

Deno.test("memory of one agent is never found from another agent", async () => {
  await using rig = await memoryRig();
  await writeCorpus(`${rig.dir}/ws/main`);
  await writeCorpus(`${rig.dir}/ws/other`, { "MEMORY.md": "# Memory\nOther agent knows about sailing.\n" });
  await rig.service.index("main");
  const other = await rig.service.search("other", "Zephyrine sister Lisbon", { k: 5 });
  assert.deepEqual(other.hits.map((h) => h.snippet).filter((s) => /Zephyrine/.test(s)), []);
  const mine = await rig.service.search("main", "sailing", { k: 5 });
  assert.ok(mine.hits.every((h) => !/sailing/.test(h.snippet)));
  assert.equal((await rig.service.status("other")).files, 1);
});

Deno.test("embeddings fail over to the next endpoint; with all down, search degrades to keywords", async () => {
  await using rig = await memoryRig({
    extra: (url) => ({
      providers: {
        emb: { api: "openai-chat", baseUrl: url, apiKey: "k" },
        emb2: { api: "openai-chat", baseUrl: url, apiKey: "k2" },
      },
      memory: {
        embedding: {
          provider: "emb",
          model: "fake-embed",
          dimensions: 64,
          fallbacks: [{ provider: "emb2", model: "fake-embed" }],
        },
      },
    }),
  });
  await writeCorpus(`${rig.dir}/ws/main`);
  rig.fake.failNext(503);
  const r = await rig.service.index("main");
  assert.equal(r.embedError, undefined);
  assert.equal(rig.fake.requests.length, 2, "the first endpoint failed, the second answered");

  rig.fake.failNext(503, 10);
  const s = await rig.service.search("main", "Zephyrine automobile", { k: 3 });
  assert.equal(s.mode, "keyword");
  assert.match(s.note ?? "", /Vector search unavailable/);
  assert.equal(s.hits[0]?.path, "MEMORY.md");
});

Deno.test("recent daily notes are boosted over older ones", async () => {
  await using rig = await memoryRig({ embeddings: false });
  await writeCorpus(`${rig.dir}/ws/main`, {
    "memory/2024-01-01.md": "Meeting notes: quarterly budget review.\n",
    "memory/2025-01-13.md": "Meeting notes: quarterly budget review.\nAlso lunch.\n",
  });
  const r = await rig.service.search("main", "quarterly budget", { k: 2 });
  assert.equal(r.hits[0]?.path, "memory/2025-01-13.md");
});

Deno.test("keyword search finds an agent's own chunk even when another agent's better matches crowd the top", async () => {
  await using rig = await memoryRig({ embeddings: false });
  // 60 chunks (a section each, long enough to be cut apart) that match "sailing" better than the other's.
  const many = Array.from({ length: 60 }, (_, i) => `## Trip ${i}\n${"sailing ".repeat(60)}${i}.`)
    .join("\n\n");
  await writeCorpus(`${rig.dir}/ws/main`, { "memory/sailing.md": many });
  await writeCorpus(`${rig.dir}/ws/other`, {
    "MEMORY.md": "# Memory\nThe other agent once read a long book that mentioned sailing in passing, " +
      "among many other things like gardening, cooking, travel, music and history.\n",
  });
  assert.ok((await rig.service.index("main")).chunksAdded >= 40);
  const r = await rig.service.search("other", "sailing", { k: 1 });
  assert.equal(r.hits.length, 1);
  assert.equal(r.hits[0]!.path, "MEMORY.md");
  assert.match(r.hits[0]!.snippet, /long book/);
});

Deno.test("indexing raises the connection's page cache only while it runs", async () => {
  await using rig = await memoryRig({ embeddings: false });
  await writeCorpus(`${rig.dir}/ws/main`);
  await rig.store.db.run("PRAGMA cache_size = -3000");
  const during: number[] = [];
  const query = rig.store.db.query.bind(rig.store.db);
  rig.store.db.query = (async (sql: string, args?: never) => {
    if (sql.startsWith("SELECT id, hash FROM memory_chunks") || sql.includes("FROM memory_files")) {
      during.push((await query<{ cache_size: number }>("PRAGMA cache_size"))[0]!.cache_size);
    }
    return await query(sql, args);
  }) as typeof rig.store.db.query;
  await Promise.all([rig.service.index("main"), rig.service.index("other")]);
  assert.ok(during.length > 0 && during.every((n) => n === -65536), JSON.stringify(during));
  assert.equal((await query<{ cache_size: number }>("PRAGMA cache_size"))[0]!.cache_size, -3000);
});
