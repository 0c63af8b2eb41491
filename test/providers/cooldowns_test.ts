import assert from "node:assert/strict";
import { createCooldowns } from "../../src/providers/cooldowns.ts";
import { createFakeClock } from "./fake_clock.ts";

Deno.test("cooldowns: 30 s → 1 min → 5 min, capped, reset on success, per ref", () => {
  const clock = createFakeClock();
  const c = createCooldowns({ clock });
  assert.equal(c.remainingMs("p/a"), 0);
  assert.equal(c.fail("p/a"), 30_000);
  assert.equal(c.remainingMs("p/a"), 30_000);
  assert.equal(c.remainingMs("p/b"), 0, "a sibling model is not affected");
  clock.advance(10_000);
  assert.equal(c.remainingMs("p/a"), 20_000);
  assert.equal(c.fail("p/a"), 60_000);
  assert.equal(c.fail("p/a"), 300_000);
  assert.equal(c.fail("p/a"), 300_000);
  assert.deepEqual(c.list().map((s) => [s.ref, s.failures]), [["p/a", 4]]);
  c.succeed("p/a");
  assert.equal(c.remainingMs("p/a"), 0);
  assert.equal(c.fail("p/a"), 30_000, "after a success the ladder starts again");
});

Deno.test("cooldowns: a longer minimum (Retry-After) wins; expired entries are not listed", () => {
  const clock = createFakeClock();
  const c = createCooldowns({ clock, steps: [1000] });
  assert.equal(c.fail("p/a", 5000), 5000);
  assert.equal(c.fail("p/b", 10), 1000);
  clock.advance(1000);
  assert.deepEqual(c.list().map((s) => s.ref), ["p/a"]);
  assert.throws(() => createCooldowns({ clock, steps: [] }), RangeError);
});
