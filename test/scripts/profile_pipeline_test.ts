import assert from "node:assert/strict";
import { type CpuProfile, summarise } from "../../scripts/profile_pipeline.ts";

Deno.test("profile summary: samples by module (src dir, npm package, runtime) and by function", () => {
  const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({
    id,
    callFrame: { functionName, url, lineNumber },
  });
  const profile: CpuProfile = {
    nodes: [
      frame(1, "(root)", ""),
      frame(2, "executeRun", "file:///work/main/src/agent/run_exec.ts", 21),
      frame(3, "buildBody", "file:///root/.cache/deno/npm/registry.npmjs.org/openai/7.57.0/client.mjs", 1436),
      frame(4, "(idle)", ""),
      frame(5, "enqueue", "ext:deno_web/06_streams.js", 3),
      frame(
        6,
        "create",
        "file:///root/.cache/deno/npm/registry.npmjs.org/@libsql/client/0.18.0/lib-esm/x.js",
      ),
    ],
    samples: [2, 2, 3, 4, 4, 4, 4, 5, 6, 6],
    startTime: 0,
    endTime: 1000,
  };
  const s = summarise(profile, 3);
  assert.deepEqual(s.modules, [["(idle)", 40], ["src/agent", 20], ["npm:@libsql/client", 20]]);
  assert.deepEqual(s.functions[1], ["executeRun run_exec.ts:22", 20]);
  assert.equal(
    summarise({ ...profile, samples: [] }).modules.length,
    0,
    "an empty profile summarises to nothing",
  );
});
