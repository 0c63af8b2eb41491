import assert from "node:assert/strict";
import { GATEWAY_V8_FLAGS } from "../../src/core/runtime_flags.ts";

Deno.test("the deno.json tasks that start the gateway use the gateway's V8 flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))) as {
    tasks: Record<string, string>;
  };
  for (const task of ["start", "talon"]) {
    assert(
      config.tasks[task]?.includes(` ${GATEWAY_V8_FLAGS} `),
      `task ${task} must run with ${GATEWAY_V8_FLAGS}: ${config.tasks[task]}`,
    );
  }
});
