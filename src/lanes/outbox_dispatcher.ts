/**
 * Sends what the durable outbox holds. Each chunk is claimed (state `sending`, attempt counted) before
 * its sender is called and marked `sent` after; failures retry with exponential backoff until
 * `maxAttempts`, then the chunk goes to the dead-letter list. On start, chunks a crash left `sending`
 * get exactly one more try (see OutboxRepo.recover).
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { describeError, TalonError } from "../core/errors.ts";
import type { EventBus } from "../core/event_bus.ts";
import { type Logger, silentLogger } from "../core/logger.ts";
import type { OutboxItem, OutboxRepo } from "../store/outbox.ts";

/** A channel's way to deliver one chunk. Throw to fail; a TalonError with `retryable: false` is final. */
export interface Sender {
  /** `item.idempotencyKey` is stable across retries; pass it on where the platform supports one. */
  send(item: OutboxItem): Promise<unknown>;
}

export interface OutboxDispatcherOptions {
  outbox: OutboxRepo;
  /** The sender of a channel, or undefined when the channel is not running (the chunk waits and retries). */
  senders: (channel: string) => Sender | undefined;
  clock?: Clock;
  logger?: Logger;
  bus?: EventBus;
  /** Attempts before a chunk is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Retry delay: baseMs × 2^(attempt-1), at most maxMs. Default 1 s … 5 min. */
  backoff?: { baseMs: number; maxMs: number };
  /** Chunks sent in parallel (each target still gets its chunks in order). Default 16. */
  batch?: number;
  /** Also look for due chunks this often (e.g. after `talon outbox retry` from another process). Default 5 s. */
  pollMs?: number;
}

export interface OutboxDispatcher {
  /** Recovers interrupted sends, then starts sending. */
  start(): Promise<{ requeued: number; dead: number }>;
  /** New chunks were enqueued: send them now. */
  kick(): void;
  /** Sends everything that is due now; resolves when nothing due is left. */
  flush(): Promise<void>;
  /** Stops the timers and waits for sends in flight. */
  stop(): Promise<void>;
}

/** Creates the outbox dispatcher. */
export function createOutboxDispatcher(options: OutboxDispatcherOptions): OutboxDispatcher {
  const { outbox, senders, bus } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 300_000 };
  const batch = options.batch ?? 16;
  const pollMs = options.pollMs ?? 5000;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be ≥ 1, got ${maxAttempts}`);
  }
  let started = false;
  let stopped = false;
  let timer: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const sendOne = async (item: OutboxItem) => {
    const fields = {
      runId: item.runId,
      channel: item.target.channel,
      chunk: item.chunkIndex,
      attempt: item.attempts,
    };
    try {
      const sender = senders(item.target.channel);
      if (!sender) throw new TalonError("UNAVAILABLE", `No sender for channel ${item.target.channel}`);
      await sender.send(item);
      await outbox.markSent(item.id);
      bus?.publish({
        event: "egress",
        payload: { ...fields, id: item.id },
        runId: item.runId,
        sessionKey: item.sessionKey,
      });
    } catch (err) {
      const final = err instanceof TalonError && !err.retryable;
      const out = final || item.attempts >= maxAttempts;
      const delay = err instanceof TalonError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : Math.min(backoff.maxMs, backoff.baseMs * 2 ** (item.attempts - 1));
      const message = describeError(err);
      await outbox.markFailed(item.id, message, out ? undefined : clock.now() + delay);
      if (out) {
        logger.error("outbox: chunk dead-lettered", { ...fields, error: message });
        bus?.publish({
          event: "outbox.dead",
          payload: { ...fields, id: item.id, error: message },
          runId: item.runId,
        });
      } else {
        logger.warn("outbox: send failed, will retry", { ...fields, error: message, retryInMs: delay });
      }
    }
  };

  const drain = async () => {
    do {
      again = false;
      for (;;) {
        const items = await outbox.claimDue(clock.now(), batch);
        if (items.length === 0) break;
        await Promise.all(items.map(sendOne));
      }
    } while (again && !stopped);
  };

  const arm = async () => {
    if (stopped || !started) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    const next = await outbox.nextDueAt().catch(() => undefined);
    if (stopped) return;
    const wait = next === undefined ? pollMs : Math.max(0, Math.min(pollMs, next - clock.now()));
    timer = clock.setTimeout(() => {
      timer = undefined;
      run();
    }, wait);
  };

  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((err) => logger.error("outbox: dispatch failed", { error: describeError(err) }))
      .finally(() => {
        running = undefined;
        void arm();
      });
    return running;
  };

  return {
    async start() {
      const recovered = await outbox.recover();
      if (recovered.requeued || recovered.dead) logger.warn("outbox: recovered interrupted sends", recovered);
      started = true;
      void run();
      return recovered;
    },
    kick() {
      void run();
    },
    async flush() {
      await run();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      while (running) await running;
    },
  };
}
