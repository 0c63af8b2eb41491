/**
 * The heartbeat runs in a lane of its own: a cron job holding the (full) cron lane does not delay it, and a
 * heartbeat turn that runs long does not hold up a reply in another session. Real shard workers (the fake
 * job handler) and the gateway's heartbeat wiring; the heartbeat's own timer is a fake clock.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { talonPaths } from "../../src/config/paths.ts";
import { silentLogger } from "../../src/core/logger.ts";
import type { ReplyTo } from "../../src/app/egress.ts";
import { createGatewayHeartbeat } from "../../src/app/heartbeat_wiring.ts";
import type { LaneRuns } from "../../src/app/lane_runs.ts";
import type { RunResult } from "../../src/agent/mod.ts";
import type { SessionRepo } from "../../src/store/sessions.ts";
import { createTestClock } from "../helpers/fake_clock.ts";
import { type Harness, harness, sawEvent } from "../lanes/harness.ts";

const LANE_CAPS = {
  main: { global: 1, perShard: 1 },
  cron: { global: 1, perShard: 1 },
  subagent: { global: 1, perShard: 1 },
  heartbeat: { global: 1, perShard: 1 },
};

/** LaneRuns over the test scheduler: each turn echoes `reply` through the fake job handler. */
function laneRunsOver(h: Harness, reply: string): LaneRuns {
  const runs: Partial<LaneRuns> = {
    start(input) {
      const sub = h.scheduler.submit({
        sessionKey: input.sessionKey,
        lane: input.lane ?? "main",
        runId: input.runId,
        payload: { cmd: "echo", text: reply },
      });
      const done = h.waitFor(`turn ${sub.runId}`, () => h.results.some((r) => r.turn.runId === sub.runId))
        .then(() => ({ runId: sub.runId, status: "ok", text: reply }) as unknown as RunResult);
      return Promise.resolve({ runId: sub.runId, sessionKey: input.sessionKey, done });
    },
  };
  return runs as LaneRuns;
}

Deno.test("heartbeat lane: a cron job holding the cron lane does not delay the heartbeat; its reply is delivered", async () => {
  const h = await harness({ settings: { lanes: LANE_CAPS } });
  const home = await Deno.makeTempDir({ prefix: "talon-hb-lane-" });
  const clock = createTestClock({ start: Date.UTC(2026, 0, 14, 12, 0) });
  const config = validateConfig({
    agents: { defaults: { heartbeat: { every: "30m", target: { channel: "telegram", to: "42" } } } },
  }, { env: {}, file: "test" });
  const paths = talonPaths(home);
  await Deno.mkdir(`${paths.workspaceDir}/main`, { recursive: true });
  await Deno.writeTextFile(`${paths.workspaceDir}/main/HEARTBEAT.md`, "- Is the backup older than a day?\n");
  const delivered: { to: ReplyTo; text: string }[] = [];
  const hb = createGatewayHeartbeat({
    config: () => config,
    store: h.store,
    sessions: { get: () => Promise.resolve(undefined) } as unknown as SessionRepo,
    paths,
    clock,
    logger: silentLogger,
    runs: () => laneRunsOver(h, "The backup is 3 days old."),
    activeRun: () => undefined,
    deliverTo: (to, result) => {
      delivered.push({ to, text: result.text });
      return Promise.resolve();
    },
  });
  try {
    const cron = h.scheduler.submit({ sessionKey: "cron:nightly", lane: "cron", payload: { cmd: "hold" } });
    await h.waitFor("the cron job to start", () => sawEvent(h.events, "started", cron.runId));
    const cron2 = h.scheduler.submit({ sessionKey: "cron:hourly", lane: "cron", payload: { cmd: "echo" } });

    hb.start();
    await clock.advance(30 * 60_000);
    await h.waitFor("the heartbeat reply to be delivered", () => delivered.length === 1, 20_000);
    assert.equal(delivered[0]!.text, "The backup is 3 days old.");
    assert.deepEqual(delivered[0]!.to.source, {
      channel: "heartbeat",
      deliver: { channel: "telegram", to: "42", accountId: undefined },
    });
    const turn = h.results.find((r) => r.turn.sessionKey === "agent:main:main")?.turn;
    assert.equal(turn?.lane, "heartbeat");
    assert.equal(
      h.results.some((r) => r.turn.runId === cron2.runId),
      false,
      "cron2 still waits for the cron lane",
    );
    assert.equal(h.scheduler.status().lanes.cron.active, 1);

    h.scheduler.steer("cron:nightly", { release: true });
    await h.scheduler.idle();
    assert.ok(h.results.some((r) => r.turn.runId === cron2.runId));
  } finally {
    hb.stop();
    await h.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("heartbeat lane: a long heartbeat turn never blocks a reply, and the lane's cap holds a second one", async () => {
  const h = await harness({ settings: { lanes: LANE_CAPS } });
  try {
    const beat = h.scheduler.submit({
      sessionKey: "agent:main:main",
      lane: "heartbeat",
      payload: { cmd: "hold" },
    });
    await h.waitFor("the heartbeat turn to start", () => sawEvent(h.events, "started", beat.runId));
    const beat2 = h.scheduler.submit({
      sessionKey: "agent:ops:main",
      lane: "heartbeat",
      payload: { cmd: "echo" },
    });
    const reply = h.scheduler.submit({
      sessionKey: "agent:main:telegram:direct:42",
      payload: { cmd: "echo" },
    });
    await h.waitFor("the reply", () => h.results.some((r) => r.turn.runId === reply.runId));
    assert.equal(h.results.some((r) => r.turn.runId === beat2.runId), false, "heartbeat cap 1 holds beat2");
    assert.equal(h.scheduler.status().lanes.heartbeat.active, 1);
    h.scheduler.steer("agent:main:main", { release: true });
    await h.scheduler.idle();
    assert.ok(h.results.some((r) => r.turn.runId === beat2.runId && r.turn.lane === "heartbeat"));
  } finally {
    await h.close();
  }
});
