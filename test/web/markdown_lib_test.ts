/** The Markdown parser of assistant messages, the step order of an item, and the command notes. */
import assert from "node:assert/strict";
import { parseInline, parseMarkdown, safeHref } from "../../web/src/lib/markdown.ts";
import {
  applyAgentEvent,
  applyChatEvent,
  type ChatItem,
  itemParts,
  itemsFromHistory,
  withNotes,
} from "../../web/src/lib/chat_model.ts";
import { loadNotes, saveNote } from "../../web/src/lib/chat_notes.ts";

Deno.test("markdown: blocks — headings, lists, fences, quotes, tables, rules", () => {
  const md =
    "# Title\n\npara *a* **b**\nnext line\n\n- x\n- y\n\n3. c\n4. d\n\n```js\nlet a = 1;\n```\n\n> q\n\n|h1|h2|\n|:-|:-:|\n|1|2|\n\n---";
  const blocks = parseMarkdown(md);
  assert.deepEqual(blocks.map((b) => b.t), ["h", "p", "list", "list", "code", "quote", "table", "hr"]);
  const ol = blocks[3] as { ordered: boolean; start: number };
  assert.deepEqual([ol.ordered, ol.start], [true, 3]);
  assert.deepEqual(blocks[4], { t: "code", lang: "js", v: "let a = 1;" });
  const table = blocks[6] as { align: string[]; rows: unknown[][] };
  assert.deepEqual(table.align, ["left", "center"]);
  assert.equal(table.rows.length, 1);
});

Deno.test("markdown: inline — code spans keep their text, emphasis nests, snake_case stays", () => {
  assert.deepEqual(parseInline("`a *b*`"), [{ t: "code", v: "a *b*" }]);
  assert.deepEqual(parseInline("**bold _it_**"), [
    { t: "strong", c: [{ t: "text", v: "bold " }, { t: "em", c: [{ t: "text", v: "it" }] }] },
  ]);
  assert.deepEqual(parseInline("snake_case_name"), [{ t: "text", v: "snake_case_name" }]);
  assert.deepEqual(parseInline("a\\*b"), [{ t: "text", v: "a*b" }]);
});

Deno.test("markdown: only http(s), mailto and relative links; everything else is text", () => {
  assert.equal(safeHref("https://x.test/a"), "https://x.test/a");
  assert.equal(safeHref("mailto:a@b.c"), "mailto:a@b.c");
  for (
    const bad of ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "data:text/html,x", "vbscript:x"]
  ) {
    assert.equal(safeHref(bad), undefined, bad);
  }
  assert.deepEqual(parseInline("[click](javascript:alert(1))"), [{ t: "text", v: "click" }, {
    t: "text",
    v: ")",
  }]);
  const auto = parseInline("see https://example.com/a.");
  assert.deepEqual(auto[1], {
    t: "link",
    href: "https://example.com/a",
    c: [{ t: "text", v: "https://example.com/a" }],
  });
  // Raw HTML is never a node of its own: it is text.
  assert.deepEqual(parseMarkdown("<img src=x onerror=alert(1)>"), [
    { t: "p", c: [{ t: "text", v: "<img src=x onerror=alert(1)>" }] },
  ]);
});

Deno.test("item parts: text streamed before a tool call comes before its card, live and from history", () => {
  let items: ChatItem[] = [];
  items = applyChatEvent(items, {
    runId: "r",
    sessionKey: "s",
    seq: 1,
    state: "delta",
    message: { content: "Looking." },
  });
  items = applyAgentEvent(items, {
    runId: "r",
    seq: 1,
    stream: "tool",
    ts: 0,
    data: { phase: "start", toolCallId: "t1", name: "list" },
  });
  items = applyChatEvent(items, {
    runId: "r",
    sessionKey: "s",
    seq: 2,
    state: "final",
    message: { content: "Looking.\n\nFound it." },
  });
  const kinds = (it: ChatItem) =>
    itemParts(it).map((p) => (p.kind === "text" ? p.text : `tool:${p.tool.id}`));
  assert.deepEqual(kinds(items[0]!), ["Looking.", "tool:t1", "Found it."]);
  const hist = itemsFromHistory([
    { seq: 1, kind: "user", runId: "r", content: { text: "q" } },
    { seq: 2, kind: "assistant", runId: "r", content: { text: "Looking." } },
    { seq: 3, kind: "tool_call", runId: "r", content: { id: "t1", name: "list", arguments: {} } },
    { seq: 4, kind: "tool_result", runId: "r", content: { toolCallId: "t1", content: "x" } },
    { seq: 5, kind: "assistant", runId: "r", content: { text: "Found it." } },
  ]);
  assert.deepEqual(kinds(hist[1]!), ["Looking.", "tool:t1", "Found it."]);
});

Deno.test("command notes: kept per session, capped, placed among history items by time", () => {
  const mem = new Map<string, string>();
  const store = {
    getItem: (k: string) => mem.get(k) ?? null,
    setItem: (k: string, v: string) => void mem.set(k, v),
  };
  for (let i = 0; i < 30; i++) {
    saveNote(store, "s", { runId: `r${i}`, command: "/status", reply: `ok ${i}`, ts: i * 10 });
  }
  const notes = loadNotes(store, "s");
  assert.equal(notes.length, 40);
  assert.equal(notes.at(-1)!.text, "ok 29");
  assert.deepEqual(loadNotes(store, "other"), []);
  mem.set("talon.notes.bad", "{not json");
  assert.deepEqual(loadNotes(store, "bad"), []);
  const h: ChatItem[] = [
    { key: "a", role: "user", text: "a", tools: [], ts: 5 },
    { key: "b", role: "user", text: "b", tools: [], ts: 500 },
  ];
  const merged = withNotes(h, notes.slice(-2));
  assert.deepEqual(merged.map((m) => m.key), ["a", "n:r29:u", "n:r29:a", "b"]);
});

Deno.test("unfinishedRun: a user message without a reply, or a reply ending with a tool call", async () => {
  const { unfinishedRun } = await import("../../web/src/lib/chat_model.ts");
  const user: ChatItem = { key: "u", role: "user", text: "q", runId: "r1", tools: [] };
  assert.equal(unfinishedRun([user]), "r1");
  const tool = { id: "t", name: "exec", args: {}, status: "running" as const, at: 5 };
  assert.equal(
    unfinishedRun([user, { key: "a", role: "assistant", text: "hello", runId: "r1", tools: [tool] }]),
    "r1",
  );
  assert.equal(
    unfinishedRun([user, { key: "a", role: "assistant", text: "hello\n\ndone", runId: "r1", tools: [tool] }]),
    undefined,
  );
  assert.equal(
    unfinishedRun([user, { key: "a", role: "assistant", text: "hi", runId: "r1", tools: [] }]),
    undefined,
  );
  assert.equal(unfinishedRun([]), undefined);
});
