/**
 * Lanes: session-sharded workers, per-session queues and queue modes, the durable intake and the outbox
 * dispatcher. Generic — jobs are run by a job-handler module given by URL; nothing here knows agents.
 *
 * Wiring (one composition file):
 *   const pool = createShardPool({ handlerUrl, handlerOptions, shards: config.agents.shards, jobTimeoutMs, logger });
 *   const scheduler = createScheduler({ pool, settings: schedulerSettings(config.agents), channelMode,
 *     inbox, milestones: store.milestones, bus, logger, hooks: { onResult, onFailed } });
 *   const intake = createIntake({ inbox, scheduler }); await intake.recover({ onGiveUp });
 *   const dispatcher = createOutboxDispatcher({ outbox, senders, bus, logger }); await dispatcher.start();
 *   registry.add(createLanesStatusMethod(scheduler)); for (const m of createOutboxMethods({ outbox, kick })) …
 */
export { createShardPool } from "./shard_pool.ts";
export type {
  JobCallbacks,
  JobOutcome,
  RunningJob,
  ShardPool,
  ShardPoolOptions,
  ShardStatus,
} from "./shard_pool.ts";
export { createScheduler, schedulerSettings } from "./scheduler.ts";
export type * from "./scheduler_types.ts";
export { createIntake } from "./intake.ts";
export type { Intake, IntakeMessage } from "./intake.ts";
export { channelQueueMode } from "./queue_mode.ts";
export { dropNotice } from "./drop_notice.ts";
export { createOutboxDispatcher } from "./outbox_dispatcher.ts";
export type { OutboxDispatcher, OutboxDispatcherOptions, Sender } from "./outbox_dispatcher.ts";
export { createOutboxMethods } from "./outbox_methods.ts";
export { createLanesStatusMethod, lanesMetrics } from "./status.ts";
export { formatDropped, summarizePayload } from "./session_queue.ts";
export type { DropPolicy, QueuedItem } from "./session_queue.ts";
export { LANES } from "./protocol.ts";
export type { JobContext, JobHandlerModule, JobInput, JobMessage, Lane, Steer } from "./protocol.ts";
