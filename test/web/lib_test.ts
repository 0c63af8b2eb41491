/** Pure logic of the Control UI: backoff, sign-in fragment, chat state, schema form. */
import assert from "node:assert/strict";
import { backoffDelay } from "../../web/src/lib/backoff.ts";
import { clearToken, loadToken, readSigninCode, saveToken, TOKEN_KEY } from "../../web/src/lib/signin.ts";
import {
  activeRun,
  applyAgentEvent,
  applyChatEvent,
  type ChatItem,
  itemsFromHistory,
  mergeHistory,
} from "../../web/src/lib/chat_model.ts";
import {
  assignIssues,
  parseFieldInput,
  sectionsFromSchema,
  setAt,
  validateAll,
  validateField,
} from "../../web/src/lib/schema_form.ts";
import { configJsonSchema } from "../../src/config/schema.ts";
import { splitRunIds } from "../../web/src/lib/format.ts";

Deno.test("backoff doubles up to the cap, jitter only shortens, bad attempts are refused", () => {
  const o = { baseMs: 500, maxMs: 15_000, jitter: 0.3 };
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(a, o, () => 0)), [500, 1000, 2000, 4000, 15_000]);
  assert.equal(backoffDelay(2, o, () => 0.999), Math.round(2000 * (1 - 0.3 * 0.999)));
  assert.throws(() => backoffDelay(-1, o), RangeError);
  assert.throws(() => backoffDelay(1.5, o), RangeError);
});

Deno.test("sign-in code is read from the fragment only when well-formed", () => {
  assert.equal(readSigninCode("#signin=abcdefghijklmnop1234"), "abcdefghijklmnop1234");
  assert.equal(readSigninCode("#x=1&signin=abcdefghijklmnop_-12"), "abcdefghijklmnop_-12");
  assert.equal(readSigninCode("#signin=short"), undefined);
  assert.equal(readSigninCode("#signin=<script>alert(1)</script>xxxxxxxx"), undefined);
  assert.equal(readSigninCode(""), undefined);
  const m = new Map<string, string>();
  const store = {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
  assert.equal(loadToken(store), undefined);
  saveToken(store, "  tok  ");
  assert.equal(m.get(TOKEN_KEY), "tok");
  assert.equal(loadToken(store), "tok");
  clearToken(store);
  assert.equal(loadToken(store), undefined);
});

const chat = (seq: number, state: "delta" | "final", content: string) => ({
  runId: "run_1",
  sessionKey: "s",
  seq,
  state,
  message: { role: "assistant", content },
});

Deno.test("chat events stream into one assistant item; old or repeated events are ignored", () => {
  let items: ChatItem[] = [];
  items = applyChatEvent(items, chat(1, "delta", "Hel"));
  items = applyChatEvent(items, chat(2, "delta", "Hello"));
  assert.equal(items.length, 1);
  assert.equal(items[0]!.text, "Hello");
  assert.equal(activeRun(items), "run_1");
  const same = applyChatEvent(items, chat(1, "delta", "Hel"));
  assert.equal(same, items);
  items = applyChatEvent(items, chat(3, "final", "Hello!"));
  assert.equal(items[0]!.state, "final");
  assert.equal(activeRun(items), undefined);
});

Deno.test("tool events become cards with status, duration and output", () => {
  let items: ChatItem[] = [];
  const ev = (seq: number, data: Record<string, unknown>) => ({
    runId: "run_1",
    seq,
    stream: "tool" as const,
    ts: 0,
    data,
  });
  items = applyAgentEvent(
    items,
    ev(1, { phase: "start", toolCallId: "c1", name: "exec", args: { command: "ls" } }),
  );
  assert.equal(items[0]!.tools[0]!.status, "running");
  items = applyAgentEvent(
    items,
    ev(2, { phase: "end", toolCallId: "c1", name: "exec", outcome: "ok", ms: 12, result: "a\nb" }),
  );
  assert.deepEqual(items[0]!.tools[0], {
    id: "c1",
    name: "exec",
    args: { command: "ls" },
    status: "ok",
    ms: 12,
    output: "a\nb",
    at: 0,
  });
  items = applyAgentEvent(items, ev(3, { phase: "start", toolCallId: "c2", name: "read" }));
  items = applyAgentEvent(
    items,
    ev(4, { phase: "end", toolCallId: "c2", name: "read", outcome: "denied", isError: true }),
  );
  assert.equal(items[0]!.tools[1]!.status, "error");
});

Deno.test("history merge keeps a run in flight and prefers the transcript for finished runs", () => {
  const history = itemsFromHistory([
    { seq: 1, kind: "user", runId: "run_0", content: { text: "hi" } },
    { seq: 2, kind: "tool_call", runId: "run_0", content: { id: "t1", name: "exec", arguments: { c: 1 } } },
    {
      seq: 3,
      kind: "tool_result",
      runId: "run_0",
      content: { toolCallId: "t1", name: "exec", content: "out" },
    },
    { seq: 4, kind: "assistant", runId: "run_0", content: { text: "done" } },
    { seq: 5, kind: "user", runId: "run_1", content: { text: "again" } },
  ]);
  assert.deepEqual(history.map((h) => [h.role, h.text]), [["user", "hi"], ["assistant", "done"], [
    "user",
    "again",
  ]]);
  assert.equal(history[1]!.tools[0]!.output, "out");
  let live: ChatItem[] = applyChatEvent(history, chat(1, "delta", "work in progress"));
  live = mergeHistory(live, history);
  assert.equal(live.at(-1)!.text, "work in progress");
  assert.equal(live.at(-1)!.state, "streaming");
  const finished = itemsFromHistory([
    { seq: 5, kind: "user", runId: "run_1", content: { text: "again" } },
    { seq: 6, kind: "assistant", runId: "run_1", content: { text: "complete" } },
  ]);
  const merged = mergeHistory(live, finished);
  assert.deepEqual(merged.map((m) => m.text), ["again", "complete"]);
  assert.equal(merged[1]!.state, "final");
});

Deno.test("the config schema becomes sections and fields that validate like the gateway", () => {
  const sections = sectionsFromSchema(configJsonSchema());
  const port = sections.flatMap((s) => s.fields).find((f) => f.path === "gateway.port")!;
  assert.equal(port.kind, "integer");
  assert.equal(validateField(port, 70000), "must be at most 65535");
  assert.equal(validateField(port, 8080), undefined);
  assert.equal(validateField(port, 1.5), "expected a whole number");
  assert.deepEqual(parseFieldInput(port, "abc"), { error: 'expected a number, got "abc"' });
  assert.deepEqual(parseFieldInput(port, "${PORT}"), { value: "${PORT}" });
  const level = sections.flatMap((s) => s.fields).find((f) => f.path === "logging.level")!;
  assert.equal(level.kind, "enum");
  assert.match(validateField(level, "loud")!, /one of debug, info, warn, error/);
  const origins = sections.flatMap((s) => s.fields).find((f) => f.path === "gateway.allowedOrigins")!;
  assert.equal(origins.kind, "json");
  assert.equal(validateField(origins, { a: 1 }), "expected a JSON array");
  assert.deepEqual(validateAll(sections, { gateway: { port: -1 }, logging: { level: "info" } }), {
    "gateway.port": "must be at least 0",
  });
  const { byField, general } = assignIssues(sections, [
    { path: "gateway.port", message: "too big" },
    { path: "gateway.allowedOrigins.0", message: "Invalid URL" },
    { path: "nope", message: "unknown key" },
  ]);
  assert.deepEqual(byField, { "gateway.port": "too big", "gateway.allowedOrigins": "Invalid URL" });
  assert.deepEqual(general, ["nope: unknown key"]);
});

Deno.test("setAt sets and unsets nested paths, pruning empty parents", () => {
  const a = setAt({}, "gateway.auth.maxFailures", 3);
  assert.deepEqual(a, { gateway: { auth: { maxFailures: 3 } } });
  assert.deepEqual(setAt(a, "gateway.auth.maxFailures", undefined), {});
});

Deno.test("run ids in log text become link parts", () => {
  assert.deepEqual(splitRunIds("started run_abc1234 ok"), [
    { text: "started " },
    { text: "run_abc1234", runId: "run_abc1234" },
    { text: " ok" },
  ]);
  assert.deepEqual(splitRunIds("no ids"), [{ text: "no ids" }]);
});
