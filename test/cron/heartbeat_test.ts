/** The heartbeat with fake timers: delivered, suppressed on HEARTBEAT_OK, outside active hours, busy session. */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { Clock } from "../../src/core/clock.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { validateConfig } from "../../src/config/load.ts";
import {
  createHeartbeat,
  type HeartbeatTarget,
  isHeartbeatOk,
  parseEvery,
  withinActiveHours,
} from "../../src/cron/heartbeat.ts";
import { openStore } from "../../src/store/mod.ts";

function fakeClock(start: number) {
  const c = FakeTimers.createClock(start);
  const clock: Clock = {
    now: () => c.now,
    setTimeout: (fn, ms) => c.setTimeout(fn, ms) as unknown as number,
    clearTimeout: (id) => c.clearTimeout(id),
    setInterval: (fn, ms) => c.setInterval(fn, ms) as unknown as number,
    clearInterval: (id) => c.clearInterval(id),
  };
  return { clock, tickAsync: (ms: number) => c.tickAsync(ms) };
}

async function rig(heartbeat: Record<string, unknown>, opts: { start?: number; replies?: string[] } = {}) {
  const store = await openStore({ url: ":memory:" });
  const config = validateConfig({ agents: { defaults: { heartbeat } } }, { env: {}, file: "test" });
  const fake = fakeClock(opts.start ?? Date.UTC(2025, 0, 14, 12, 0));
  const replies = [...(opts.replies ?? [])];
  const runs: { text: string; principal: string; sessionKey: string }[] = [];
  const delivered: { target: HeartbeatTarget; text: string }[] = [];
  const busy = new Set<string>();
  let checklist = "- Check the inbox for anything urgent.";
  const hb = createHeartbeat({
    config: () => config,
    clock: fake.clock,
    kv: store.kv,
    milestones: store.milestones,
    logger: silentLogger,
    readChecklist: () => Promise.resolve(checklist),
    isBusy: (key) => busy.has(key),
    startRun: (input) => {
      runs.push({ text: input.text, principal: input.principal.kind, sessionKey: input.sessionKey });
      return Promise.resolve({
        done: Promise.resolve({ status: "ok", text: replies.shift() ?? "HEARTBEAT_OK" }),
      });
    },
    lastSource: () =>
      Promise.resolve({
        channel: "telegram",
        accountId: "default",
        peer: { kind: "direct" as const, id: "42" },
      }),
    deliver: (target, text) => {
      delivered.push({ target, text });
      return Promise.resolve();
    },
  });
  const outcomes = async () =>
    (await store.db.query<{ data: string }>("SELECT data FROM events WHERE kind = 'heartbeat' ORDER BY id"))
      .map((r) =>
        JSON.parse(r.data).outcome + (JSON.parse(r.data).reason ? `:${JSON.parse(r.data).reason}` : "")
      );
  return {
    hb,
    fake,
    runs,
    delivered,
    busy,
    outcomes,
    setChecklist: (t: string) => void (checklist = t),
    [Symbol.dispose]() {
      hb.stop();
      store.close();
    },
  };
}

Deno.test("heartbeat: every 30m a turn reads HEARTBEAT.md; a real reply is delivered to the last chat", async () => {
  using r = await rig({ every: "30m" }, { replies: ["Your flight leaves in 2 hours."] });
  r.hb.start();
  await r.fake.tickAsync(29 * 60_000);
  assert.equal(r.runs.length, 0, "nothing before the interval");
  await r.fake.tickAsync(60_000);
  assert.equal(r.runs.length, 1);
  assert.equal(r.runs[0]!.sessionKey, "agent:main:main");
  assert.equal(r.runs[0]!.principal, "cron");
  assert.match(r.runs[0]!.text, /reply exactly HEARTBEAT_OK[\s\S]*## HEARTBEAT\.md\n- Check the inbox/);
  assert.deepEqual(r.delivered, [{
    target: {
      kind: "source",
      source: { channel: "telegram", accountId: "default", peer: { kind: "direct", id: "42" } },
    },
    text: "Your flight leaves in 2 hours.",
  }]);
  await r.fake.tickAsync(30 * 60_000);
  assert.equal(r.runs.length, 2, "re-armed after each tick");
  assert.equal(r.delivered.length, 1, "the second answer was HEARTBEAT_OK: nothing sent");
  assert.deepEqual(await r.outcomes(), ["started", "delivered", "started", "suppressed"]);
});

Deno.test("heartbeat: HEARTBEAT_OK (with whitespace) is suppressed; a fixed target gets other replies", async () => {
  using r = await rig({ every: "10m", target: { channel: "discord", to: "channel:9" } }, {
    replies: ["  HEARTBEAT_OK\n", "Reminder: call Anna."],
  });
  assert.equal((await r.hb.tick("main")).status, "suppressed");
  const second = await r.hb.tick("main");
  assert.deepEqual(second.status, "delivered");
  assert.deepEqual(r.delivered[0]!.target, { kind: "deliver", channel: "discord", to: "channel:9" });
  assert.ok(isHeartbeatOk("HEARTBEAT_OK  ") && !isHeartbeatOk("HEARTBEAT_OK, but also: X"));
});

Deno.test("heartbeat: skipped outside active hours (time zone aware), runs inside them", async () => {
  // 12:00 UTC is 21:00 in Tokyo: outside 08:00–20:00 there.
  using r = await rig({ every: "1h", activeHours: { start: "08:00", end: "20:00", timezone: "Asia/Tokyo" } });
  r.hb.start();
  await r.fake.tickAsync(60 * 60_000);
  assert.equal(r.runs.length, 0);
  assert.deepEqual(await r.outcomes(), ["skipped:outside active hours"]);
  // 23:00 UTC is 08:00 in Tokyo.
  await r.fake.tickAsync(10 * 60 * 60_000);
  assert.equal(r.runs.length, 1);
  assert.equal(withinActiveHours({ start: "22:00", end: "06:00" }, Date.UTC(2025, 0, 1, 23, 30)), true);
  assert.equal(withinActiveHours({ start: "22:00", end: "06:00" }, Date.UTC(2025, 0, 1, 12, 0)), false);
});

Deno.test("heartbeat: skipped while the session is busy, when off, or with an empty checklist", async () => {
  using r = await rig({ every: "5m" });
  r.busy.add("agent:main:main");
  assert.deepEqual(await r.hb.tick("main"), { status: "skipped", reason: "the session is busy" });
  r.busy.clear();
  await r.hb.setEnabled("main", false);
  assert.equal((await r.hb.tick("main")).status, "skipped");
  assert.equal((await r.hb.tick("main", { force: true })).status, "suppressed", "now runs even when off");
  await r.hb.setEnabled("main", true);
  r.setChecklist("  \n");
  assert.deepEqual(await r.hb.tick("main"), { status: "skipped", reason: "HEARTBEAT.md is empty" });
  assert.equal(r.runs.length, 1);
  assert.throws(() => parseEvery("soon"), RangeError);
  assert.equal(parseEvery("2h"), 7_200_000);
});
