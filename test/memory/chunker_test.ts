import assert from "node:assert/strict";
import { chunkMarkdown } from "../../src/memory/chunker.ts";
import { dailyNoteDay, isMemoryPath } from "../../src/memory/sources.ts";
import { ftsQuery } from "../../src/memory/ranking.ts";

Deno.test("chunks follow headings and keep 1-based line ranges", () => {
  const text = "# A\n" + "alpha ".repeat(60) + "\n\n# B\n" + "beta ".repeat(60) + "\n";
  const chunks = chunkMarkdown(text, { chunkTokens: 200, overlapTokens: 0 });
  assert.equal(chunks.length, 2);
  assert.deepEqual([chunks[0]!.startLine, chunks[0]!.endLine], [1, 2]);
  assert.deepEqual([chunks[1]!.startLine, chunks[1]!.endLine], [4, 5]);
  assert.match(chunks[1]!.text, /^# B/);
  assert.notEqual(chunks[0]!.hash, chunks[1]!.hash);
});

Deno.test("a long section is cut by size with overlap; blank files give no chunks", () => {
  const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ` + "x".repeat(40));
  const chunks = chunkMarkdown(lines.join("\n"), { chunkTokens: 100, overlapTokens: 20 });
  assert.ok(chunks.length >= 4);
  for (let i = 1; i < chunks.length; i++) {
    assert.ok(
      chunks[i]!.startLine <= chunks[i - 1]!.endLine,
      "each chunk repeats the end of the previous one",
    );
  }
  assert.equal(chunks.at(-1)!.endLine, 40);
  assert.deepEqual(chunkMarkdown(" \n\n \n", { chunkTokens: 100, overlapTokens: 10 }), []);
  const huge = chunkMarkdown("y".repeat(5000), { chunkTokens: 100, overlapTokens: 0 });
  assert.ok(huge.length >= 12 && huge.every((c) => c.startLine === 1 && c.text.length <= 400));
});

Deno.test("memory paths and daily notes", () => {
  assert.ok(isMemoryPath("MEMORY.md"));
  assert.ok(isMemoryPath("memory/2025-01-01.md"));
  assert.ok(!isMemoryPath("memory/../AGENTS.md"));
  assert.ok(!isMemoryPath("AGENTS.md"));
  assert.ok(!isMemoryPath("memory/x.txt"));
  assert.equal(dailyNoteDay("memory/1970-01-02.md"), 1);
  assert.equal(dailyNoteDay("memory/notes.md"), null);
});

Deno.test("search text becomes a safe FTS5 query (no operators from the user)", () => {
  assert.equal(ftsQuery('tea "OR" coffee*'), '"tea" OR "or" OR "coffee"');
  assert.equal(ftsQuery("  ?! "), undefined);
});
