import assert from "node:assert/strict";
import { z } from "zod";
import { createStaticToolExecutor } from "../../src/agent/static_tools.ts";
import { createCurrentTimeTool } from "../../src/tools/current_time.ts";
import type { ToolContext, ToolDefinition } from "../../src/tools/types.ts";

const ctx = (signal = new AbortController().signal): ToolContext => ({
  runId: "r",
  sessionKey: "s",
  agentId: "main",
  workspace: "/tmp/x",
  signal,
});

Deno.test("current_time: the time in an IANA zone, UTC by default, bad zones are errors", async () => {
  const tool = createCurrentTimeTool({ clock: { now: () => Date.UTC(2025, 6, 1, 23, 30, 5) } });
  const ny = await tool.run({ timeZone: "America/New_York" }, ctx());
  assert.equal(
    ny.content,
    "2025-07-01 19:30:05 America/New_York (Tuesday, UTC-04:00); ISO 2025-07-01T23:30:05.000Z",
  );
  const utc = await tool.run({}, ctx());
  assert.match(utc.content, /^2025-07-01 23:30:05 UTC \(Tuesday, UTC\+00:00\)/);
  const tokyo = await tool.run({ timeZone: "Asia/Tokyo" }, ctx());
  assert.match(tokyo.content, /^2025-07-02 08:30:05 Asia\/Tokyo \(Wednesday, UTC\+09:00\)/);
  const bad = await tool.run({ timeZone: "Not/AZone" }, ctx());
  assert.equal(bad.isError, true);
  assert.match(bad.content, /Unknown time zone "Not\/AZone"/);
  assert.deepEqual(tool.permissions!({}, ctx()), {});
});

Deno.test("static executor: JSON Schema specs, argument validation, thrown errors become results", async () => {
  const boom: ToolDefinition<{ n: number }> = {
    name: "boom",
    description: "throws",
    group: "util",
    input: z.object({ n: z.number().int() }),
    run: () => Promise.reject(new Error("kaput")),
  };
  const exec = createStaticToolExecutor([createCurrentTimeTool({ clock: { now: () => 0 } }), boom]);
  const specs = exec.specs({ sessionKey: "s", agentId: "main", workspace: "/tmp" });
  assert.deepEqual(specs.map((s) => s.name), ["current_time", "boom"]);
  const params = specs[0]!.parameters as {
    type: string;
    properties: Record<string, unknown>;
    $schema?: string;
  };
  assert.equal(params.type, "object");
  assert.ok("timeZone" in params.properties);
  assert.equal(params.$schema, undefined, "no $schema noise sent to the model");
  assert.deepEqual(specs[1]!.parameters.required, ["n"]);

  const bad = await exec.execute("boom", { n: "x" }, ctx());
  assert.equal(bad.isError, true);
  assert.match(bad.content, /^Invalid arguments for boom: n:/);
  const thrown = await exec.execute("boom", { n: 1 }, ctx());
  assert.deepEqual(thrown, { content: "boom failed: Error: kaput", isError: true });
  const unknown = await exec.execute("nope", {}, ctx());
  assert.match(unknown.content, /Unknown tool "nope". Available: current_time, boom/);
  const ac = new AbortController();
  ac.abort();
  assert.match(
    (await exec.execute("current_time", {}, ctx(ac.signal))).content,
    /not run: the run was aborted/,
  );
  assert.throws(() => createStaticToolExecutor([boom, boom]), RangeError);
});
