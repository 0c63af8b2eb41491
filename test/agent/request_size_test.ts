import assert from "node:assert/strict";
import { toolSpecsSize, utf8Length } from "../../src/agent/request_size.ts";
import { measureRequestBytes } from "../../src/agent/prompt.ts";
import { estimateTokens, estimateToolTokens } from "../../src/agent/compaction.ts";

const encoded = (s: string) => new TextEncoder().encode(s).length;

Deno.test("utf8Length: the length TextEncoder gives, surrogate pairs and lone surrogates included", () => {
  for (
    const s of [
      "",
      "plain",
      "é",
      "€",
      "日本語",
      "😀",
      "a😀b",
      "\ud83d",
      "x\ud83d",
      "\ude00y",
      "\ud83d\ud83d\ude00",
      "\u07ff\u0800",
    ]
  ) {
    assert.equal(utf8Length(s), encoded(s), JSON.stringify(s));
  }
});

Deno.test("request sizes and the tools' token estimate: the same as serialising (and encoding) the request, each schema measured once", () => {
  let serialised = 0;
  const schema = {
    type: "object",
    properties: { path: { type: "string", description: 'a "quoted" päth 😀' } },
    required: ["path"],
  };
  const counted = { ...schema, toJSON: () => (serialised++, schema) };
  const tools = [
    { name: "read", description: "Reads a file — ünïcode\nline two", parameters: counted },
    { name: "now", description: "", parameters: { type: "object", properties: {} } },
  ];
  const req = {
    system: "You are “main” 😀",
    messages: [{ role: "user" as const, content: "héllo \ud83d" }],
    tools: tools as never,
  };
  const expected = encoded(JSON.stringify({ system: req.system, messages: req.messages, tools: req.tools }));
  serialised = 0;
  assert.equal(measureRequestBytes(req), expected);
  assert.equal(measureRequestBytes(req), expected);
  assert.equal(serialised, 1, "the schema was serialised once for both calls");
  assert.deepEqual(toolSpecsSize([]), { chars: 2, bytes: 2 });
  assert.equal(toolSpecsSize(tools).chars, JSON.stringify(tools).length);
  assert.equal(estimateToolTokens(tools), estimateTokens(JSON.stringify(tools)));
  assert.equal(estimateToolTokens([]), estimateTokens("[]"));
  assert.equal(measureRequestBytes({ ...req, tools: [] }), encoded(JSON.stringify({ ...req, tools: [] })));
});
