import assert from "node:assert/strict";
import { chunkText } from "../../src/channels/chunk.ts";

/** Every chunk must have balanced fences. */
function fencesBalanced(chunk: string): boolean {
  return (chunk.match(/^```/gm) ?? []).length % 2 === 0;
}

Deno.test("chunk: short text is one chunk, empty text none", () => {
  assert.deepEqual(chunkText("hello", 100), ["hello"]);
  assert.deepEqual(chunkText("   ", 100), []);
});

Deno.test("chunk: prefers paragraph, then line, then word boundaries", () => {
  const para = "a".repeat(30) + "\n\n" + "b".repeat(30);
  assert.deepEqual(chunkText(para, 40), ["a".repeat(30), "b".repeat(30)]);
  const lines = "x".repeat(25) + "\n" + "y".repeat(25);
  assert.deepEqual(chunkText(lines, 40), ["x".repeat(25), "y".repeat(25)]);
  const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
  const chunks = chunkText(words, 40);
  for (const c of chunks) assert.ok(c.length <= 40);
  assert.equal(chunks.join(" "), words, "no word is cut");
});

Deno.test("chunk: a word longer than the limit is hard-cut without losing characters", () => {
  const long = "z".repeat(100);
  const chunks = chunkText(long, 40);
  assert.ok(chunks.every((c) => c.length <= 40));
  assert.equal(chunks.join(""), long);
});

Deno.test("chunk: a code block is closed and reopened with its language across chunks", () => {
  const code = Array.from({ length: 60 }, (_, i) => `let v${i} = ${i};`).join("\n");
  const text = `Here is the code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`;
  const chunks = chunkText(text, 200);
  assert.ok(chunks.length > 3);
  for (const c of chunks) {
    assert.ok(c.length <= 200, `chunk of ${c.length}`);
    assert.ok(fencesBalanced(c), c);
  }
  assert.ok(chunks.slice(1, -1).every((c) => c.startsWith("```ts\n")), "reopened with the language");
  const lines = chunks.join("\n").split("\n").filter((l) => l.startsWith("let "));
  assert.deepEqual(lines, code.split("\n"), "every code line survives in order");
  assert.ok(chunks.at(-1)!.endsWith("Done."));
});

Deno.test("chunk: rejects a nonsensical limit", () => {
  assert.throws(() => chunkText("x", 10), RangeError);
});
