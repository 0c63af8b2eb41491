import assert from "node:assert/strict";
import { createToolImages } from "../../src/agent/tool_images.ts";
import { silentLogger } from "../../src/core/logger.ts";
import type { TranscriptEntry } from "../../src/store/transcripts.ts";
import { toChatMessages } from "../../src/providers/openai_chat.ts";
import { toMessages } from "../../src/agent/history.ts";

const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

function result(seq: number, runId: string, paths: string[]): TranscriptEntry {
  return {
    id: seq,
    sessionId: "s",
    seq,
    ts: 0,
    runId,
    tokens: 1,
    kind: "tool_result",
    content: {
      toolCallId: `call_${seq}`,
      name: "mcp__fx__image",
      content: `saved to ${paths.join(", ")}`,
      media: paths.map((path) => ({ kind: "image" as const, path, mime: "image/png" })),
    },
  };
}

const config = (maxImagesPerTurn: number, vision = true) =>
  ({
    models: vision ? { input: {}, "p/v": { input: ["text", "image"] } } : { input: {} },
    media: { maxImageBytes: 1000, maxImagesPerTurn },
  }) as never;

Deno.test("tool images: only this run's, the newest maxImagesPerTurn, unreadable or too large left out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [a, b, c, big] = ["a", "b", "c", "big"].map((n) => `${dir}/${n}.png`);
    for (const p of [a!, b!, c!]) await Deno.writeFile(p, PNG);
    await Deno.writeFile(big!, new Uint8Array(5000));
    const entries = [
      result(1, "old-run", [a!]),
      result(2, "r", [a!, `${dir}/missing.png`]),
      result(3, "r", [big!, b!]),
      result(4, "r", [c!]),
    ];
    const two = await createToolImages({
      config: config(2),
      modelRef: "p/v",
      runId: "r",
      logger: silentLogger,
    })
      .collect(entries);
    assert.deepEqual([...two.keys()].sort(), [3, 4], "the newest two images of the run");
    assert.equal(two.get(3)!.length, 1, "the oversized file is left out");
    const all = await createToolImages({
      config: config(9),
      modelRef: "p/v",
      runId: "r",
      logger: silentLogger,
    })
      .collect(entries);
    assert.deepEqual([...all.keys()].sort(), [2, 3, 4], "another run's images are not sent again");
    const none = await createToolImages({
      config: config(9, false),
      modelRef: "p/v",
      runId: "r",
      logger: silentLogger,
    }).collect(entries);
    assert.equal(none.size, 0, "no images for a model without vision");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OpenAI chat: tool images follow the last tool message of their turn, before the next user message", () => {
  const img = { mime: "image/png", data: "AAAA" };
  const msgs = toChatMessages("", [
    { role: "user", content: "go" },
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c1", name: "t", arguments: {} }, { id: "c2", name: "u", arguments: {} }],
    },
    { role: "tool", toolCallId: "c1", name: "t", content: "one", images: [img, img] },
    { role: "tool", toolCallId: "c2", name: "u", content: "two", images: [img] },
    { role: "user", content: "next" },
  ]);
  assert.deepEqual(msgs.map((m) => m.role), ["user", "assistant", "tool", "tool", "user", "user"]);
  const parts = msgs[4]!.content as { type: string; text?: string }[];
  assert.deepEqual(parts.map((p) => p.type), ["text", "image_url", "image_url", "text", "image_url"]);
  assert.equal(parts[0]!.text, "[2 images returned by tool call c1 (t)]");
  assert.equal(parts[3]!.text, "[1 image returned by tool call c2 (u)]");
  // toMessages attaches images to tool results by entry seq.
  const m = toMessages([result(7, "r", ["/x.png"])], new Map([[7, [img]]]));
  assert.deepEqual((m[0] as { images?: unknown }).images, [img]);
});
