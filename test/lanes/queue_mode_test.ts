import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { channelQueueMode } from "../../src/lanes/queue_mode.ts";
import { schedulerSettings } from "../../src/lanes/scheduler.ts";

Deno.test("channelQueueMode reads the account's, then the channel's queue mode", () => {
  const config = validateConfig({
    channels: {
      telegram: { accounts: { main: { botToken: "x", queueMode: "collect" }, other: { botToken: "y" } } },
      webchat: { queueMode: "interrupt" },
    },
  }, { env: {}, file: "test.json" });
  const mode = channelQueueMode(config);
  assert.equal(mode("telegram", "main"), "collect");
  assert.equal(mode("telegram", "other"), undefined);
  assert.equal(mode("webchat", undefined), "interrupt");
  assert.equal(mode("discord", "x"), undefined);
});

Deno.test("schedulerSettings maps agents config; background lanes get their own smaller caps", () => {
  const config = validateConfig({
    agents: {
      maxConcurrent: 8,
      perShardConcurrent: 3,
      defaults: { queueMode: "steer", debounceMs: 250, queueDrop: "summarize" },
    },
  }, { env: {}, file: "test.json" });
  const s = schedulerSettings(config.agents);
  assert.equal(s.queueMode, "steer");
  assert.equal(s.debounceMs, 250);
  assert.equal(s.queueDrop, "summarize");
  assert.deepEqual(s.lanes, {
    main: { global: 8, perShard: 3 },
    subagent: { global: 4, perShard: 3 },
    cron: { global: 2, perShard: 3 },
    heartbeat: { global: 2, perShard: 3 },
  });
});

Deno.test("schedulerSettings defaults: caps sized for runs that wait on the network, not for the CPU", () => {
  const s = schedulerSettings(validateConfig({}, { env: {}, file: "test.json" }).agents);
  assert.deepEqual(s.lanes, {
    main: { global: 1024, perShard: 1024 },
    subagent: { global: 512, perShard: 1024 },
    cron: { global: 256, perShard: 1024 },
    heartbeat: { global: 256, perShard: 1024 },
  });
});
