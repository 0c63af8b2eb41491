/**
 * N shard workers running job handlers. `hash(sessionKey) mod N` picks the shard. Watchdogs: a job past
 * its timeout (or told to abort) that does not stop within a grace period takes its worker down with it;
 * a worker that crashes or misses heartbeats is terminated and restarted, and its in-flight jobs settle
 * as `lost` so the caller can re-queue them.
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { fnv1a32 } from "../core/ids.ts";
import { type Logger, silentLogger } from "../core/logger.ts";
import {
  type FromWorker,
  fromWorkerSchema,
  type JobError,
  type JobInput,
  type ToWorker,
} from "./protocol.ts";

/** How a job ended. `lost`: its worker died under it (the job may be re-run). */
export type JobOutcome =
  | { status: "done"; result: unknown; consumedSteers: string[] }
  | { status: "failed"; error: JobError; aborted: boolean; consumedSteers: string[] }
  | { status: "lost"; error: JobError; consumedSteers: string[] };

export interface JobCallbacks {
  onEvent(event: string, data: unknown): void;
  /** Called exactly once. */
  onSettled(outcome: JobOutcome): void;
}

/** A job started on a shard. */
export interface RunningJob {
  readonly runId: string;
  readonly shard: number;
  steer(steerId: string, payload: unknown): void;
  /** Asks the job to stop; if it has not stopped after the grace period its worker is restarted. */
  abort(reason: string): void;
}

export interface ShardStatus {
  shard: number;
  alive: boolean;
  ready: boolean;
  active: number;
  restarts: number;
  lastError?: string;
}

export interface ShardPoolOptions {
  /** URL of the job-handler module each worker loads (see JobHandlerModule). */
  handlerUrl: string | URL;
  /** Passed to the handler module's `init` in every worker (structured-clonable). */
  handlerOptions?: unknown;
  /** Number of workers; default navigator.hardwareConcurrency. */
  shards?: number;
  /** Default job timeout; per job in `run(…, {timeoutMs})`. Default 10 minutes. */
  jobTimeoutMs?: number;
  /** How long an aborted job may take to stop before its worker is restarted. Default 5 s. */
  abortGraceMs?: number;
  heartbeatMs?: number;
  /** A ready worker silent for this long is hung. Default 5 × heartbeatMs. */
  heartbeatTimeoutMs?: number;
  /** A worker that is not ready after this long is hung. Default 30 s. */
  startTimeoutMs?: number;
  /** Restart delay after consecutive failures: base × 2^n up to max. */
  restartBackoff?: { baseMs: number; maxMs: number };
  /** Extra Worker options, e.g. `{ deno: { permissions } }` (needs --unstable-worker-options). */
  workerOptions?: Record<string, unknown>;
  /** Start each worker on its shard's first job instead of at once (idle memory, startup time). */
  lazy?: boolean;
  clock?: Clock;
  logger?: Logger;
}

export interface ShardPool {
  readonly size: number;
  shardOf(sessionKey: string): number;
  /** Starts a job on the shard of its sessionKey. */
  run(job: JobInput, callbacks: JobCallbacks, options?: { timeoutMs?: number }): RunningJob;
  status(): ShardStatus[];
  /**
   * How busy a shard's worker is: the round trip of its last answered heartbeat (or the age of an
   * unanswered one, when longer), and how many heartbeats it has answered.
   */
  health(shard: number): { delayMs: number; samples: number };
  /**
   * Sends a heartbeat to a ready shard now, unless one is unanswered: a measurement sooner than the next
   * interval (the scheduler asks while a shard's adaptive cap holds runs back, so the cap can follow).
   */
  probe(shard: number): void;
  /** Aborts running jobs (they settle as failed), waits up to the grace period, terminates the workers. */
  close(): Promise<void>;
}

interface Job {
  input: JobInput;
  callbacks: JobCallbacks;
  sent: boolean;
  timeout?: number;
  grace?: number;
  abortReason?: { code: string; message: string };
  steers: { id: string; payload: unknown }[];
}

interface Shard {
  index: number;
  worker?: Worker;
  ready: boolean;
  spawnedAt: number;
  lastPong: number;
  pingAt: number;
  rttMs: number;
  pongs: number;
  seq: number;
  restarts: number;
  failures: number;
  respawnTimer?: number;
  lastError?: string;
  jobs: Map<string, Job>;
}

/** Starts the shard workers. */
export function createShardPool(options: ShardPoolOptions): ShardPool {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const size = options.shards ?? Math.max(1, navigator.hardwareConcurrency || 1);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`shards must be an integer ≥ 1, got ${size}`);
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? heartbeatMs * 5;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const graceMs = options.abortGraceMs ?? 5000;
  const defaultTimeout = options.jobTimeoutMs ?? 600_000;
  const backoff = options.restartBackoff ?? { baseMs: 100, maxMs: 10_000 };
  const handlerUrl = String(options.handlerUrl);
  const workerUrl = new URL("./shard_worker.ts", import.meta.url);
  let closed = false;

  const shards: Shard[] = Array.from({ length: size }, (_, index) => ({
    index,
    ready: false,
    spawnedAt: 0,
    lastPong: 0,
    pingAt: 0,
    rttMs: 0,
    pongs: 0,
    seq: 0,
    restarts: 0,
    failures: 0,
    jobs: new Map(),
  }));

  const send = (shard: Shard, msg: ToWorker) => shard.worker?.postMessage(msg);

  const settle = (shard: Shard, runId: string, outcome: JobOutcome) => {
    const job = shard.jobs.get(runId);
    if (!job) return;
    shard.jobs.delete(runId);
    if (job.timeout !== undefined) clock.clearTimeout(job.timeout);
    if (job.grace !== undefined) clock.clearTimeout(job.grace);
    try {
      job.callbacks.onSettled(outcome);
    } catch (err) {
      logger.error("lanes: onSettled threw", { runId, error: String(err) });
    }
  };

  const spawn = (shard: Shard) => {
    shard.respawnTimer = undefined;
    if (closed) return;
    const worker = new Worker(workerUrl, { type: "module", ...options.workerOptions } as WorkerOptions);
    shard.worker = worker;
    shard.ready = false;
    shard.pingAt = 0;
    shard.spawnedAt = clock.now();
    shard.lastPong = clock.now();
    worker.onmessage = (e: MessageEvent) => {
      if (shard.worker !== worker) return;
      const parsed = fromWorkerSchema.safeParse(e.data);
      if (!parsed.success) {
        logger.error("lanes: invalid message from shard worker", {
          shard: shard.index,
          issues: parsed.error.message,
        });
        return;
      }
      onMessage(shard, parsed.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (shard.worker === worker) lose(shard, `worker crashed: ${e.message}`);
    };
    worker.onmessageerror = () => {
      if (shard.worker === worker) {
        logger.error("lanes: undecodable message from shard worker", { shard: shard.index });
      }
    };
    send(shard, {
      type: "init",
      shard: shard.index,
      handlerUrl,
      handlerOptions: options.handlerOptions ?? null,
    });
    for (const job of shard.jobs.values()) {
      send(shard, { type: "start", job: job.input });
      job.sent = true;
      for (const s of job.steers) {
        send(shard, { type: "steer", runId: job.input.runId, steerId: s.id, payload: s.payload });
      }
    }
  };

  const deliverEvent = (shard: Shard, e: { runId: string; event: string; data: unknown }) => {
    const job = shard.jobs.get(e.runId);
    if (!job) return;
    try {
      job.callbacks.onEvent(e.event, e.data);
    } catch (err) {
      logger.error("lanes: onEvent threw", { runId: e.runId, error: String(err) });
    }
  };

  const onMessage = (shard: Shard, msg: FromWorker) => {
    shard.lastPong = clock.now();
    switch (msg.type) {
      case "ready":
        shard.ready = true;
        break;
      case "init_failed":
        shard.lastError = `handler failed to load: ${msg.error.message}`;
        logger.error("lanes: job handler failed to load", { shard: shard.index, error: msg.error.message });
        break;
      case "event":
        deliverEvent(shard, msg);
        break;
      case "events":
        for (const e of msg.events) deliverEvent(shard, e);
        break;
      case "done":
        shard.failures = 0;
        settle(shard, msg.runId, { status: "done", result: msg.result, consumedSteers: msg.consumedSteers });
        break;
      case "failed": {
        shard.failures = 0;
        const job = shard.jobs.get(msg.runId);
        const error = job?.abortReason && msg.aborted ? job.abortReason : msg.error;
        settle(shard, msg.runId, {
          status: "failed",
          error,
          aborted: msg.aborted,
          consumedSteers: msg.consumedSteers,
        });
        break;
      }
      case "pong":
        if (msg.seq === shard.seq) {
          shard.rttMs = clock.now() - shard.pingAt;
          shard.pingAt = 0;
          shard.pongs++;
        }
        break;
      case "protocol_error":
        logger.error("lanes: shard worker rejected a message", { shard: shard.index, error: msg.message });
        break;
    }
  };

  /** The worker is gone or stuck: terminate it, settle its jobs as lost, restart it (with backoff). */
  const lose = (shard: Shard, reason: string, forced?: { runId: string; error: JobError }) => {
    logger.warn("lanes: shard worker lost, restarting", {
      shard: shard.index,
      reason,
      jobs: shard.jobs.size,
    });
    shard.worker?.terminate();
    shard.worker = undefined;
    shard.ready = false;
    shard.lastError = reason;
    shard.restarts++;
    shard.failures++;
    // The restart is scheduled before the lost jobs settle: settling re-queues them, and a job submitted
    // while neither a worker nor a restart exists would start a second worker beside this restart.
    if (!closed) {
      const delay = shard.failures <= 1
        ? 0
        : Math.min(backoff.maxMs, backoff.baseMs * 2 ** (shard.failures - 2));
      shard.respawnTimer = clock.setTimeout(() => spawn(shard), delay);
    }
    for (const runId of [...shard.jobs.keys()]) {
      if (forced && runId === forced.runId) {
        settle(shard, runId, { status: "failed", error: forced.error, aborted: true, consumedSteers: [] });
      } else {
        settle(shard, runId, {
          status: "lost",
          error: { code: "UNAVAILABLE", message: reason },
          consumedSteers: [],
        });
      }
    }
  };

  const abortJob = (shard: Shard, runId: string, error: JobError) => {
    const job = shard.jobs.get(runId);
    if (!job || job.abortReason) return;
    job.abortReason = error;
    send(shard, { type: "abort", runId, reason: error.message });
    job.grace = clock.setTimeout(() => {
      if (!shard.jobs.has(runId)) return;
      lose(shard, `job ${runId} did not stop within ${graceMs} ms of abort`, { runId, error });
    }, graceMs);
  };

  const heartbeat = clock.setInterval(() => {
    const now = clock.now();
    for (const shard of shards) {
      if (!shard.worker) continue;
      const silentFor = now - shard.lastPong;
      const limit = shard.ready ? heartbeatTimeoutMs : startTimeoutMs;
      if (silentFor > limit) {
        lose(shard, `worker missed heartbeats for ${silentFor} ms`);
        continue;
      }
      if (shard.pingAt === 0) shard.pingAt = now;
      send(shard, { type: "ping", seq: ++shard.seq });
    }
  }, heartbeatMs);

  if (!options.lazy) { for (const shard of shards) spawn(shard); }

  const shardOf = (sessionKey: string) => fnv1a32(sessionKey) % size;

  return {
    size,
    shardOf,
    run(input, callbacks, runOptions = {}) {
      if (closed) throw new RangeError("The shard pool is closed");
      const shard = shards[shardOf(input.sessionKey)]!;
      if (shard.jobs.has(input.runId)) throw new RangeError(`Job ${input.runId} is already running`);
      const job: Job = { input, callbacks, sent: false, steers: [] };
      shard.jobs.set(input.runId, job);
      if (!shard.worker && shard.respawnTimer === undefined) spawn(shard);
      else if (shard.worker) {
        send(shard, { type: "start", job: input });
        job.sent = true;
      }
      const timeoutMs = runOptions.timeoutMs ?? defaultTimeout;
      job.timeout = clock.setTimeout(() => {
        job.timeout = undefined;
        abortJob(shard, input.runId, { code: "TIMEOUT", message: `Run timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      return {
        runId: input.runId,
        shard: shard.index,
        steer(steerId, payload) {
          if (shard.jobs.get(input.runId) !== job) return;
          job.steers.push({ id: steerId, payload });
          send(shard, { type: "steer", runId: input.runId, steerId, payload });
        },
        abort(reason) {
          abortJob(shard, input.runId, { code: "ABORTED", message: reason });
        },
      };
    },
    health(index) {
      const s = shards[index];
      if (!s) return { delayMs: 0, samples: 0 };
      const waiting = s.pingAt === 0 ? 0 : clock.now() - s.pingAt;
      return { delayMs: Math.max(s.rttMs, waiting), samples: s.pongs };
    },
    probe(index) {
      const s = shards[index];
      if (!s?.worker || !s.ready || s.pingAt !== 0) return;
      s.pingAt = clock.now();
      send(s, { type: "ping", seq: ++s.seq });
    },
    status() {
      return shards.map((s) => ({
        shard: s.index,
        alive: s.worker !== undefined,
        ready: s.ready,
        active: s.jobs.size,
        restarts: s.restarts,
        ...(s.lastError ? { lastError: s.lastError } : {}),
      }));
    },
    async close() {
      if (closed) return;
      closed = true;
      clock.clearInterval(heartbeat);
      const pending: Promise<void>[] = [];
      for (const shard of shards) {
        if (shard.respawnTimer !== undefined) clock.clearTimeout(shard.respawnTimer);
        for (const [runId, job] of shard.jobs) {
          pending.push(
            new Promise<void>((resolve) => {
              const original = job.callbacks.onSettled;
              job.callbacks = { ...job.callbacks, onSettled: (o) => (original(o), resolve()) };
            }),
          );
          abortJob(shard, runId, { code: "ABORTED", message: "shutting down" });
        }
      }
      await Promise.all(pending);
      for (const shard of shards) {
        shard.worker?.terminate();
        shard.worker = undefined;
      }
    },
  };
}
