import assert from "node:assert/strict";
import { type SseEvent, sseEvents } from "../../src/providers/sse.ts";

/** A body delivering `parts` as separate reads (strings are UTF-8 encoded, byte arrays sent as they are). */
function body(...parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return ReadableStream.from(parts.map((p) => (typeof p === "string" ? enc.encode(p) : p)));
}

async function all(stream: ReadableStream<Uint8Array>, max?: number): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of sseEvents(stream, max)) out.push(e);
  return out;
}

Deno.test("sse: events end at a blank line; LF, CRLF and CR line ends; data lines join; comments skipped", async () => {
  assert.deepEqual(
    await all(
      body("data: one\n\n", "data: a\r\ndata: b\r\n\r\n", ": keep-alive\r\r", "event: error\rdata:{}\r\r"),
    ),
    [{ data: "one" }, { data: "a\nb" }, { event: "error", data: "{}" }],
  );
});

Deno.test("sse: lines and CRLF pairs split across reads, and a UTF-8 character split across reads", async () => {
  const bytes = new TextEncoder().encode("data: h\u00e9llo \u{1F600}\r\n\r\n");
  const parts = Array.from(bytes, (b) => new Uint8Array([b]));
  assert.deepEqual(await all(body(...parts)), [{ data: "h\u00e9llo \u{1F600}" }]);
  assert.deepEqual(await all(body("data: x\r", "\n", "\r", "\ndata: y\n", "\n")), [{ data: "x" }, {
    data: "y",
  }]);
});

Deno.test("sse: a field without a colon, an unknown field, an event without data, and no space after the colon", async () => {
  assert.deepEqual(
    await all(body("data\n\nid: 7\nretry: 10\ndata:x\n\nevent: ping\n\n")),
    [{ data: "" }, { data: "x" }],
  );
});

Deno.test("sse: an event cut before its blank line is not delivered", async () => {
  assert.deepEqual(await all(body("data: whole\n\ndata: cut")), [{ data: "whole" }]);
});

Deno.test("sse: a line longer than the limit is an error, not unbounded growth", async () => {
  await assert.rejects(all(body("data: ", "x".repeat(40), "y".repeat(40)), 64), /longer than 64 bytes/);
  assert.deepEqual(await all(body("data: ", "x".repeat(40), "\n\n"), 64), [{ data: "x".repeat(40) }]);
});
