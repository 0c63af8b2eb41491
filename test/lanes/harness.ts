/** Test harness: a real shard pool running test/fakes/lanes_handler.ts, a scheduler, a :memory: store. */
import { type BusEvent } from "../../src/core/types.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { Logger } from "../../src/core/logger.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createInboxRepo, type InboxRepo } from "../../src/store/inbox.ts";
import { createShardPool, type ShardPool, type ShardPoolOptions } from "../../src/lanes/shard_pool.ts";
import {
  createScheduler,
  type Scheduler,
  type SchedulerHooks,
  type SchedulerSettings,
  type Turn,
} from "../../src/lanes/scheduler.ts";

export const HANDLER_URL = new URL("../fakes/lanes_handler.ts", import.meta.url);

export interface FakeResult {
  runId: string;
  shard: number;
  attempt: number;
  texts: (string | undefined)[];
  runIds: string[];
  interrupted: boolean[];
  dropped: string[];
  steered: { text?: string }[];
}

export interface Harness {
  store: Store;
  inbox: InboxRepo;
  pool: ShardPool;
  scheduler: Scheduler;
  events: BusEvent[];
  results: { turn: Turn; result: FakeResult }[];
  failures: { turn: Turn; status: string; code: string }[];
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Two session keys that land on different shards (or the same one with `same`). */
  keysOn(shard: number, count: number, prefix?: string): string[];
  close(): Promise<void>;
}

export const baseSettings: SchedulerSettings = {
  queueMode: "followup",
  debounceMs: 0,
  queueCap: 20,
  queueDrop: "old",
  runTimeoutMs: 30_000,
  maxRequeues: 2,
  lanes: {
    main: { global: 8, perShard: 8 },
    cron: { global: 2, perShard: 2 },
    subagent: { global: 4, perShard: 4 },
    heartbeat: { global: 1, perShard: 1 },
  },
};

export async function harness(
  opts: {
    shards?: number;
    settings?: Partial<SchedulerSettings>;
    pool?: Partial<ShardPoolOptions>;
    hooks?: SchedulerHooks;
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const store = await openStore({ url: ":memory:" });
  const inbox = createInboxRepo(store.db);
  const bus = createEventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const pool = createShardPool({
    handlerUrl: HANDLER_URL,
    handlerOptions: { label: "test" },
    shards: opts.shards ?? 2,
    heartbeatMs: 100,
    heartbeatTimeoutMs: 3000,
    abortGraceMs: 2000,
    ...opts.pool,
  });
  const results: Harness["results"] = [];
  const failures: Harness["failures"] = [];
  const scheduler = createScheduler({
    pool,
    settings: { ...baseSettings, ...opts.settings },
    inbox,
    milestones: store.milestones,
    bus,
    logger: opts.logger,
    hooks: {
      onResult: (turn, result) => {
        results.push({ turn, result: result as FakeResult });
      },
      onFailed: (turn, end) => {
        failures.push({ turn, status: end.status, code: "error" in end ? end.error.code : "" });
      },
      ...opts.hooks,
    },
  });
  return {
    store,
    inbox,
    pool,
    scheduler,
    events,
    results,
    failures,
    async waitFor(what, predicate, timeoutMs = 15_000) {
      const start = Date.now();
      while (!predicate()) {
        if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    keysOn(shard, count, prefix = "s") {
      const keys: string[] = [];
      for (let i = 0; keys.length < count; i++) {
        const key = `agent:main:${prefix}${i}`;
        if (pool.shardOf(key) === shard) keys.push(key);
      }
      return keys;
    },
    async close() {
      await scheduler.close();
      store.close();
    },
  };
}

/** True once the bus saw event `name` for `runId`. */
export function sawEvent(events: BusEvent[], name: string, runId: string): boolean {
  return events.some((e) => e.event === name && e.runId === runId);
}
