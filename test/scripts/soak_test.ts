import assert from "node:assert/strict";
import { soakTarget } from "../../scripts/soak.ts";

Deno.test("soak memory target: slope ≤ 0.5 MiB/min with ≥ 10,000 sessions and no errors", () => {
  assert.match(soakTarget({ secondHalfMiBPerMin: 0.4, sessionsSeen: 10_800, errors: 0 }), /: PASS$/);
  assert.match(
    soakTarget({ secondHalfMiBPerMin: 0.6, sessionsSeen: 10_800, errors: 0 }),
    /\+0\.60 MiB.*: FAIL$/,
  );
  assert.match(soakTarget({ secondHalfMiBPerMin: -1, sessionsSeen: 10_800, errors: 2 }), /: FAIL$/);
  assert.match(soakTarget({ secondHalfMiBPerMin: 0.1, sessionsSeen: 3_000, errors: 0 }), /: not checked$/);
});
