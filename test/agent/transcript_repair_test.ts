import assert from "node:assert/strict";
import { INTERRUPTED_RESULT, repairMessages } from "../../src/agent/transcript_repair.ts";
import type { ChatMessage } from "../../src/providers/types.ts";

const call = (id: string) => ({ id, name: "t", arguments: {} });
const result = (id: string, content = `r-${id}`): ChatMessage => ({
  role: "tool",
  toolCallId: id,
  name: "t",
  content,
});

Deno.test("repair: a well-formed history is unchanged", () => {
  const msgs: ChatMessage[] = [
    { role: "user", content: "u" },
    { role: "assistant", content: "", toolCalls: [call("a"), call("b")] },
    result("a"),
    result("b"),
    { role: "assistant", content: "done" },
  ];
  const r = repairMessages(msgs);
  assert.deepEqual(r.messages, msgs);
  assert.deepEqual(r.synthesized, []);
  assert.equal(r.dropped, 0);
});

Deno.test("repair: orphans get a synthetic result in place, duplicates and strays are dropped", () => {
  const msgs: ChatMessage[] = [
    { role: "user", content: "u" },
    { role: "assistant", content: "x", toolCalls: [call("a"), call("b"), call("a")] },
    result("a", "first"),
    result("a", "second"),
    result("zzz"),
    { role: "user", content: "next" },
    result("b", "late result"), // stored after a later message: moved next to its call
  ];
  const r = repairMessages(msgs);
  assert.deepEqual(r.messages, [
    { role: "user", content: "u" },
    { role: "assistant", content: "x", toolCalls: [call("a"), call("b")] },
    result("a", "first"),
    result("b", "late result"),
    { role: "user", content: "next" },
  ]);
  assert.equal(r.dropped, 2);
  const orphan: ChatMessage[] = [{ role: "user", content: "u" }, {
    role: "assistant",
    content: "",
    toolCalls: [call("c")],
  }];
  const r2 = repairMessages(orphan);
  assert.deepEqual(r2.messages[2], {
    role: "tool",
    toolCallId: "c",
    name: "t",
    content: INTERRUPTED_RESULT,
    isError: true,
  });
  assert.deepEqual(r2.synthesized.map((c) => c.id), ["c"]);
  assert.equal(orphan.length, 2, "the input is not modified");
});
