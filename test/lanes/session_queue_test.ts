import assert from "node:assert/strict";
import {
  admit,
  formatDropped,
  oneLine,
  type QueuedItem,
  summarizePayload,
  takeTurn,
} from "../../src/lanes/session_queue.ts";

const item = (text: string, extra: Partial<QueuedItem> = {}): QueuedItem => ({
  id: text,
  runId: `run_${text}`,
  payload: { text },
  summary: text,
  receivedAt: 0,
  queuedAt: 0,
  lane: "main",
  mode: "followup",
  attempt: 1,
  ...extra,
});

Deno.test("session queue: debounce groups one sender's burst, not another sender's or a later message", () => {
  const q = [
    item("a", { senderId: "u1", queuedAt: 0 }),
    item("b", { senderId: "u1", queuedAt: 100 }),
    item("c", { senderId: "u1", queuedAt: 200 }),
    item("d", { senderId: "u2", queuedAt: 250 }),
    item("e", { senderId: "u2", queuedAt: 900 }),
  ];
  assert.deepEqual(takeTurn(q, 150).map((i) => i.id), ["a", "b", "c"]);
  assert.deepEqual(takeTurn(q, 150).map((i) => i.id), ["d"]);
  assert.deepEqual(takeTurn(q, 0).map((i) => i.id), ["e"]);
  assert.deepEqual(takeTurn(q, 0), []);
});

Deno.test("session queue: collect takes every queued message of the head's lane", () => {
  const q = [item("a", { mode: "collect" }), item("x", { lane: "cron" }), item("b"), item("c")];
  assert.deepEqual(takeTurn(q, 0).map((i) => i.id), ["a", "b", "c"]);
  assert.deepEqual(q.map((i) => i.id), ["x"]);
});

Deno.test("session queue: cap policies", () => {
  let q = [item("a"), item("b")];
  assert.deepEqual(admit(q, item("c"), 2, "new"), { accepted: false, dropped: [item("c")], summaries: [] });
  assert.deepEqual(q.map((i) => i.id), ["a", "b"]);
  const old = admit(q, item("c"), 2, "old");
  assert.deepEqual([old.accepted, old.dropped.map((i) => i.id), old.summaries], [true, ["a"], []]);
  q = [item("a"), item("b")];
  const sum = admit(q, item("c"), 2, "summarize");
  assert.deepEqual(sum.summaries, ["a"]);
  assert.deepEqual(q.map((i) => i.id), ["b", "c"]);
  assert.throws(() => admit(q, item("d"), 0, "old"), RangeError);
});

Deno.test("session queue: summaries are one short line", () => {
  assert.equal(summarizePayload({ text: "hello\n  world" }), "hello world");
  assert.equal(summarizePayload({ n: 1 }), '{"n":1}');
  assert.equal(oneLine("x".repeat(500)).length, 120);
  assert.equal(formatDropped([]), "");
  assert.equal(formatDropped(["a", "b"]), '[2 earlier message(s) not answered: "a"; "b"]');
});
