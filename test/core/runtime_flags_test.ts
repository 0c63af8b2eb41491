import assert from "node:assert/strict";
import { GATEWAY_FLAGS } from "../../src/core/runtime_flags.ts";

Deno.test("the deno.json tasks that start the gateway use the gateway's flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))) as {
    tasks: Record<string, string>;
  };
  for (const task of ["start", "talon"]) {
    for (const flag of GATEWAY_FLAGS) {
      assert(
        config.tasks[task]?.includes(` ${flag} `),
        `task ${task} must run with ${flag}: ${config.tasks[task]}`,
      );
    }
  }
});
