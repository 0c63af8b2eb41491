/** Types of the scheduler: settings, requests, turns, hooks, status. */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import type { QueueMode } from "../config/sections/agents.ts";
import type { InboxRepo } from "../store/inbox.ts";
import type { MilestoneRepo } from "../store/milestones.ts";
import type { JobError, JobInput, Lane } from "./protocol.ts";
import type { RunningJob, ShardPool } from "./shard_pool.ts";
import type { DropPolicy, QueuedItem } from "./session_queue.ts";
import type { WaitSummary } from "./wait_stats.ts";

export interface LaneCap {
  /** Runs of this lane in parallel across all shards. */
  global: number;
  /** Runs of this lane in parallel on one shard. */
  perShard: number;
}

export interface SchedulerSettings {
  queueMode: QueueMode;
  debounceMs: number;
  /** Longest a burst may hold a session back (default 5 × debounceMs). */
  maxDebounceMs?: number;
  queueCap: number;
  queueDrop: DropPolicy;
  runTimeoutMs: number;
  /** Caps per lane. `main` defaults to maxConcurrent/perShardConcurrent. */
  lanes: Record<Lane, LaneCap>;
  /** How often a job whose worker died is re-queued before it fails. Default 2. */
  maxRequeues: number;
}

/** A message for a session. Only sessionKey and payload are required. */
export interface SubmitRequest {
  sessionKey: string;
  payload: unknown;
  runId?: string;
  lane?: Lane;
  /** Debounce groups rapid messages from one sender. */
  senderId?: string;
  /** One line for drop summaries; default the payload's `text` or JSON. */
  summary?: string;
  /** Per-request queue mode (highest precedence). */
  mode?: QueueMode;
  /** For the per-channel queue mode. */
  channel?: string;
  accountId?: string;
  /** The durable inbox row; the scheduler moves it through its states. */
  inboxId?: number;
  /** Recovered after a crash while it was running. */
  interrupted?: boolean;
  receivedAt?: number;
  timeoutMs?: number;
}

export type SubmitAction = "queued" | "steered" | "interrupting" | "dropped";

export interface SubmitResult {
  runId: string;
  action: SubmitAction;
  mode: QueueMode;
  /** Messages waiting in the session after this one was admitted. */
  depth: number;
}

/** A turn as started: the job input plus where it runs. */
export interface Turn extends JobInput {
  shard: number;
  startedAt: number;
  waitMs: number;
  inboxIds: number[];
}

export type TurnEnd =
  | { status: "done"; result: unknown }
  | { status: "failed" | "interrupted" | "timeout"; error: JobError }
  | { status: "requeued"; error: JobError };

export interface SchedulerHooks {
  /** Awaited before the inbox row is marked done (e.g. write the reply to the outbox). A throw fails the turn. */
  onResult?(turn: Turn, result: unknown): void | Promise<void>;
  /** A turn failed for good (not re-queued): send the user an explicit notice. */
  onFailed?(turn: Turn, end: TurnEnd): void | Promise<void>;
  /**
   * Messages dropped by the queue cap (`cause.kind: "cap"`, with the policy) or skipped by an
   * `interrupt` (their text is prepended to the interrupting turn). Their runs end here.
   */
  onDropped?(items: QueuedItem[], sessionKey: string, cause: DropCause): void;
  /** Progress events from a job (also published on the bus). */
  onEvent?(turn: Turn, event: string, data: unknown): void;
}

export type DropCause = { kind: "cap"; policy: DropPolicy } | { kind: "interrupt" };

export interface SchedulerStatus {
  shards: {
    shard: number;
    alive: boolean;
    queueDepth: number;
    active: number;
    restarts: number;
    lastError?: string;
  }[];
  lanes: Record<Lane, { active: number; cap: LaneCap; ready: number }>;
  sessions: { active: number; waiting: number };
  waits: WaitSummary;
  totals: {
    started: number;
    done: number;
    failed: number;
    requeued: number;
    dropped: number;
    steered: number;
  };
}

export interface Scheduler {
  submit(req: SubmitRequest): SubmitResult;
  /** Sets (or with `undefined` clears) a session's queue mode (`/queue <mode>`). */
  setSessionMode(sessionKey: string, mode: QueueMode | undefined): void;
  sessionMode(sessionKey: string): QueueMode | undefined;
  /** Aborts a session's running job (`/stop`); returns false when nothing runs. */
  abort(sessionKey: string, reason?: string): boolean;
  /** Sends a steer to a session's running job directly; false when nothing runs. */
  steer(sessionKey: string, payload: unknown): boolean;
  /** The runId running for a session, if any. */
  activeRun(sessionKey: string): string | undefined;
  status(): SchedulerStatus;
  /** Resolves when nothing is running or queued and store writes are flushed. */
  idle(): Promise<void>;
  /** Stops taking work and closes the pool. Running jobs stay `running` in the inbox for recover(). */
  close(): Promise<void>;
}

export interface SchedulerOptions {
  pool:
    & Pick<ShardPool, "size" | "shardOf" | "run" | "status" | "close">
    & Partial<Pick<ShardPool, "health" | "probe">>;
  settings: SchedulerSettings;
  /** Per-channel queue mode (config), consulted after per-request and per-session modes. */
  channelMode?: (channel: string, accountId: string | undefined) => QueueMode | undefined;
  hooks?: SchedulerHooks;
  inbox?: InboxRepo;
  milestones?: MilestoneRepo;
  bus?: EventBus;
  clock?: Clock;
  logger?: Logger;
}

/** Internal: the running job of a session. */
export interface Active {
  turn: Turn;
  handle: RunningJob;
  items: QueuedItem[];
  steers: Map<string, QueuedItem>;
  stopping?: "interrupted" | "stopped";
}

/** Internal: one session's queue state. */
export interface Session {
  key: string;
  shard: number;
  pending: QueuedItem[];
  dropped: string[];
  active?: Active;
  readyAt: number;
  timer?: number;
}
