import assert from "node:assert/strict";
import { silentLogger } from "../../src/core/logger.ts";
import { createEchoProvider, ECHO_NOTICE } from "../../src/providers/echo.ts";
import { createModelRouter } from "../../src/providers/failover.ts";
import { createCurrentTimeTool } from "../../src/tools/current_time.ts";
import { harness } from "./helpers.ts";

Deno.test("integration: the real model router with the echo provider drives the tool loop end to end", async () => {
  const h = await harness({
    config: { agents: { defaults: { model: { primary: "echo/echo" } } } },
    models: (clock) =>
      createModelRouter({
        providers: new Map([["echo", createEchoProvider()]]),
        clock,
        logger: silentLogger,
      }),
    tools: [createCurrentTimeTool({ clock: { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) } })],
  });
  try {
    const plain = await (await h.runtime.start({ agentId: "main", sessionKey: "s", text: "hello echo" }))
      .done;
    assert.equal(plain.status, "ok");
    assert.ok(plain.text.startsWith(ECHO_NOTICE));
    assert.match(plain.text, /hello echo/);
    assert.equal(plain.model, "echo/echo");

    const tool = await (await h.runtime.start({
      agentId: "main",
      sessionKey: "s",
      text: '/tool current_time {"timeZone":"UTC"}',
    })).done;
    assert.equal(tool.status, "ok");
    assert.equal(tool.steps, 2);
    assert.match(tool.text, /tool current_time returned: 2025-01-02 03:04:05 UTC/);
    const kinds = (await h.runtime.history("s")).entries.map((e) => e.kind);
    assert.deepEqual(kinds.slice(2), ["user", "tool_call", "tool_result", "assistant"]);
    const attempts = (await h.store.milestones.forRun(tool.runId)).filter((m) => m.kind === "model.attempt");
    assert.deepEqual(attempts.map((m) => [m.data.provider, m.data.ok]), [["echo", true], ["echo", true]]);
  } finally {
    await h.close();
  }
});
