// Attack: rotate the source address to get a fresh failed-login budget. Any local process can bind
// 127.0.1.N, and one IPv6 host owns a whole /64; before the fix, rotating 127.0.1.N bypassed the limit.
import assert from "node:assert/strict";
import { createFailureLimiter } from "../../src/gateway/rate_limit.ts";
import { addressKey } from "../../src/gateway/address_key.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { manualClock } from "../fakes/tools_clock.ts";

Deno.test("guessing tokens from rotating 127.0.1.N addresses is limited as one address", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 3 } } });
  const statuses: number[] = [];
  for (let i = 1; i <= 6; i++) {
    using client = Deno.createHttpClient({ localAddress: `127.0.1.${i}` });
    const res = await fetch(`${gw.url}/metrics`, {
      client,
      headers: { authorization: `Bearer guess-${i}-guess-guess-guess` },
    });
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
  const audit = await gw.store.audit.list({ kind: "auth.failure" });
  assert.ok(audit.some((a) => a.actor === "127.0.1.1"), "the audit keeps the real address");
});

Deno.test("address keys: loopback is one address, IPv4-mapped counts as IPv4, IPv6 by /64", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.0.1.77", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:2", "loopback"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2:0:0:0:9", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3::/64"],
    ["unknown", "unknown"],
  ];
  for (const [addr, key] of cases) assert.equal(addressKey(addr), key, addr);
});

Deno.test("IPv6 addresses of one /64 share a failure budget", () => {
  const clock = manualClock();
  const limiter = createFailureLimiter({ maxFailures: 3, windowMs: 60_000, lockoutMs: 60_000, clock });
  for (let i = 1; i <= 3; i++) limiter.fail(`2001:db8:aa:bb::${i.toString(16)}`);
  assert.equal(limiter.check("2001:db8:aa:bb:1234::99").allowed, false);
  assert.equal(limiter.check("2001:db8:aa:bc::1").allowed, true, "another /64 is another address");
});

Deno.test("a global failure budget stops many addresses guessing together", async () => {
  const clock = manualClock();
  const limiter = createFailureLimiter({
    maxFailures: 5,
    windowMs: 60_000,
    lockoutMs: 60_000,
    globalMaxFailures: 20,
    clock,
  });
  for (let i = 0; i < 20; i++) limiter.fail(`198.51.100.${i}`);
  const fresh = limiter.check("203.0.113.50");
  assert.equal(fresh.allowed, false, "past the global budget every login waits");
  assert.equal(fresh.retryAfterMs, 60_000);
  await clock.advance(60_001);
  assert.equal(limiter.check("203.0.113.50").allowed, true, "the budget refills with the window");
});
