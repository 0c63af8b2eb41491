import assert from "node:assert/strict";
import { createFailureLimiter } from "../../src/gateway/rate_limit.ts";
import type { Clock } from "../../src/core/clock.ts";

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => void (now += ms),
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
  };
}

Deno.test("the failure limiter locks a key after maxFailures within the window, then lets it go", () => {
  const clock = fakeClock();
  const limiter = createFailureLimiter({ maxFailures: 3, windowMs: 10_000, lockoutMs: 30_000, clock });
  limiter.fail("1.2.3.4");
  limiter.fail("1.2.3.4");
  assert.equal(limiter.check("1.2.3.4").allowed, true);
  limiter.fail("1.2.3.4");
  const locked = limiter.check("1.2.3.4");
  assert.equal(locked.allowed, false);
  assert.equal(locked.retryAfterMs, 30_000);
  assert.equal(limiter.check("5.6.7.8").allowed, true, "other addresses are unaffected");
  clock.advance(30_001);
  assert.equal(limiter.check("1.2.3.4").allowed, true);
});

Deno.test("failures outside the window do not add up; success clears the count", () => {
  const clock = fakeClock();
  const limiter = createFailureLimiter({ maxFailures: 2, windowMs: 1_000, lockoutMs: 5_000, clock });
  limiter.fail("a");
  clock.advance(2_000);
  limiter.fail("a");
  assert.equal(limiter.check("a").allowed, true);
  limiter.succeed("a");
  limiter.fail("a");
  assert.equal(limiter.check("a").allowed, true);
});

Deno.test("the limiter bounds how many addresses it tracks", () => {
  const limiter = createFailureLimiter({
    maxFailures: 5,
    windowMs: 1_000,
    lockoutMs: 1_000,
    clock: fakeClock(),
    maxKeys: 100,
  });
  for (let i = 0; i < 1000; i++) limiter.fail(`10.0.${Math.floor(i / 256)}.${i % 256}`);
  // The newest key is still tracked; memory stays bounded (no assertion on internals beyond behaviour).
  limiter.fail("10.0.3.231");
  limiter.fail("10.0.3.231");
  limiter.fail("10.0.3.231");
  limiter.fail("10.0.3.231");
  assert.equal(limiter.check("10.0.3.231").allowed, false);
});
