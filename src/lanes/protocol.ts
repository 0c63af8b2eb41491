/**
 * Messages between the main thread and a shard worker. Every message is validated with zod on arrival
 * (both directions) and every job message carries its runId.
 */
import { z } from "zod";

/**
 * Lanes: replies (`main`), scheduled jobs (`cron`), sub-agents, and the heartbeat. Each has caps of its own,
 * so a long cron job never delays a heartbeat and neither ever takes a reply's place.
 */
export const LANES = ["main", "cron", "subagent", "heartbeat"] as const;
export const laneSchema = z.enum(LANES);
export type Lane = z.infer<typeof laneSchema>;

const runId = z.string().min(1).max(200);

/** One inbound message inside a job. A job has one or more (debounce and `collect` merge them). */
export const jobMessageSchema = z.object({
  id: z.string().min(1),
  runId,
  payload: z.unknown(),
  /** A one-line description (used when a message is dropped with the `summarize` policy). */
  summary: z.string(),
  senderId: z.string().optional(),
  receivedAt: z.number(),
  /** The process died while this message was running; the job should say so in its transcript. */
  interrupted: z.boolean().optional(),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

/** What a job handler receives. */
export const jobInputSchema = z.object({
  runId,
  sessionKey: z.string().min(1),
  lane: laneSchema,
  messages: z.array(jobMessageSchema).min(1),
  /** One line per message dropped by the queue cap (`summarize`) or skipped by `interrupt`; prepend them. */
  dropped: z.array(z.string()),
  /** 1 on the first try; higher when the job is re-run after its worker died. */
  attempt: z.number().int().min(1),
});
export type JobInput = z.infer<typeof jobInputSchema>;

export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

/** main → worker */
export const toWorkerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("init"),
    shard: z.number().int().min(0),
    handlerUrl: z.string().min(1),
    handlerOptions: z.unknown(),
  }),
  z.object({ type: z.literal("start"), job: jobInputSchema }),
  z.object({ type: z.literal("abort"), runId, reason: z.string() }),
  z.object({ type: z.literal("steer"), runId, steerId: z.string().min(1), payload: z.unknown() }),
  z.object({ type: z.literal("ping"), seq: z.number().int() }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/** worker → main */
export const fromWorkerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), shard: z.number().int() }),
  z.object({ type: z.literal("init_failed"), error: jobErrorSchema }),
  z.object({ type: z.literal("event"), runId, event: z.string().min(1), data: z.unknown() }),
  /** Events emitted in one turn of the worker's event loop, in order (one message instead of several). */
  z.object({
    type: z.literal("events"),
    events: z.array(z.object({ runId, event: z.string().min(1), data: z.unknown() })).min(1),
  }),
  z.object({
    type: z.literal("done"),
    runId,
    result: z.unknown(),
    /** Steer ids the handler took; the scheduler runs every other steer it sent as a follow-up. */
    consumedSteers: z.array(z.string()),
  }),
  z.object({
    type: z.literal("failed"),
    runId,
    error: jobErrorSchema,
    aborted: z.boolean(),
    consumedSteers: z.array(z.string()),
  }),
  z.object({ type: z.literal("pong"), seq: z.number().int() }),
  /** The worker received a message it could not parse (a bug; logged by the main thread). */
  z.object({ type: z.literal("protocol_error"), message: z.string() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;

/** A steer message handed to a running job. */
export interface Steer {
  id: string;
  payload: unknown;
}

/**
 * What a job handler gets besides its input. The handler decides what steering means (the agent
 * runtime injects steers before its next model call) and calls `steers.take()` when it uses them.
 */
export interface JobContext {
  shard: number;
  /** Aborted on `interrupt`, timeout or shutdown; `signal.reason` says why. */
  signal: AbortSignal;
  /** Sends a progress event to the main thread; it goes on the bus with the runId. */
  emit(event: string, data?: unknown): void;
  steers: {
    /** Steers received and not yet taken. Taking them marks them consumed. */
    take(): Steer[];
    /** Calls `listener` whenever a steer arrives. Returns an unsubscribe function. */
    onSteer(listener: (s: Steer) => void): () => void;
  };
}

/**
 * A job-handler module (loaded in each worker from a URL) exports `handleJob` and optionally `init`,
 * which runs once per worker with the pool's `handlerOptions`.
 */
export interface JobHandlerModule {
  init?(options: unknown, shard: number): void | Promise<void>;
  handleJob(job: JobInput, ctx: JobContext): unknown | Promise<unknown>;
}
