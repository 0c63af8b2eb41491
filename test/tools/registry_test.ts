import assert from "node:assert/strict";
import { z } from "zod";
import { openStore } from "../../src/store/mod.ts";
import { defineTool } from "../../src/tools/registry.ts";
import { createReadTool } from "../../src/tools/fs_read.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

const echo = defineTool({
  name: "echo",
  description: "Echo text",
  group: "util",
  input: z.strictObject({ text: z.string().describe("what to echo"), apiKey: z.string().optional() }),
  run: (i) => Promise.resolve({ content: i.text }),
});
const crash = defineTool({
  name: "crash",
  description: "Throws",
  group: "util",
  input: z.strictObject({}),
  run: () => Promise.reject(new Error("kaput")),
});

Deno.test("registry offers only allowed tools as JSON Schema and refuses others when called", async () => {
  await using env = await toolsEnv();
  const store = await openStore({ url: ":memory:" });
  try {
    const config = toolsConfig({ tools: { profile: "minimal" } });
    const reg = toolsRegistry([echo, crash, createReadTool()], { config, audit: store.audit });
    const specs = reg.specs({ agentId: "main", sessionKey: "agent:main:main", workspace: env.workspace });
    assert.deepEqual(specs.map((s) => s.name), ["echo", "crash"]);
    assert.deepEqual(specs[0]?.parameters, {
      type: "object",
      properties: { text: { type: "string", description: "what to echo" }, apiKey: { type: "string" } },
      required: ["text"],
      additionalProperties: false,
    });
    const refused = await reg.execute("read", { path: "x" }, env.ctx());
    assert.equal(refused.isError, true);
    assert.match(refused.content, /^Denied: tool read is not in the minimal profile/);
    assert.equal(
      (await reg.execute("echo", { text: "hi", apiKey: "sk-supersecretvalue123" }, env.ctx())).content,
      "hi",
    );
    const crashed = await reg.execute("crash", {}, env.ctx());
    assert.deepEqual(crashed, { content: "Failed: Error: kaput", isError: true });
    assert.match(
      (await reg.execute("nope", {}, env.ctx())).content,
      /^InvalidInput: there is no tool named nope/,
    );
    assert.match((await reg.execute("echo", { text: 5 }, env.ctx())).content, /^InvalidInput: .*text/s);
    const rows = await store.audit.list({ kind: "tool.call", runId: "run_test" });
    assert.deepEqual(rows.map((r) => [r.detail?.tool, r.outcome]).reverse(), [
      ["read", "denied"],
      ["echo", "ok"],
      ["crash", "error"],
      ["nope", "unknown"],
      ["echo", "invalid"],
    ]);
    const ok = rows.find((r) => r.outcome === "ok")!;
    assert.deepEqual(ok.detail?.args, { text: "hi", apiKey: "[redacted]" });
    assert.equal(typeof ok.detail?.ms, "number");
    assert.equal(ok.sessionKey, "agent:main:main");
  } finally {
    store.close();
  }
});

Deno.test("registry refuses duplicate names and aborted runs", async () => {
  await using env = await toolsEnv();
  assert.throws(() => toolsRegistry([echo, echo]), /registered twice/);
  const ac = new AbortController();
  ac.abort();
  const r = await toolsRegistry([echo]).execute("echo", { text: "x" }, env.ctx({ signal: ac.signal }));
  assert.match(r.content, /aborted/);
});
