/**
 * The scheduler (main thread): one active job per sessionKey; sessions in parallel under per-lane global
 * and per-shard caps; queue modes for messages that arrive mid-run; debounce; queue caps; re-queue of jobs
 * whose worker died; milestones, bus events and log lines with the runId. Generic: payloads are opaque.
 */
import { systemClock } from "../core/clock.ts";
import { newId, newRunId } from "../core/ids.ts";
import { silentLogger } from "../core/logger.ts";
import { QUEUE_MODES, type QueueMode } from "../config/sections/agents.ts";
import type { InboxState } from "../store/inbox.ts";
import { type JobMessage, type Lane, LANES } from "./protocol.ts";
import type { JobOutcome } from "./shard_pool.ts";
import { admit, oneLine, type QueuedItem, summarizePayload, takeTurn } from "./session_queue.ts";
import type {
  Active,
  DropCause,
  Scheduler,
  SchedulerOptions,
  SchedulerStatus,
  Session,
  SubmitAction,
  Turn,
  TurnEnd,
} from "./scheduler_types.ts";
import { createWaitStats } from "./wait_stats.ts";
import { validate } from "./scheduler_settings.ts";
import { poolAdaptiveCaps } from "./adaptive_caps.ts";

export type * from "./scheduler_types.ts";
export { schedulerSettings } from "./scheduler_settings.ts";

const toJobMessage = (i: QueuedItem): JobMessage => ({
  id: i.id,
  runId: i.runId,
  payload: i.payload,
  summary: i.summary,
  ...(i.senderId !== undefined ? { senderId: i.senderId } : {}),
  receivedAt: i.receivedAt,
  ...(i.interrupted ? { interrupted: true } : {}),
});

const inboxIdsOf = (items: readonly QueuedItem[]) =>
  items.flatMap((i) => (i.inboxId === undefined ? [] : [i.inboxId]));

/** Creates the scheduler on a shard pool. */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { pool, hooks = {}, inbox, milestones, bus } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const settings = opts.settings;
  validate(settings);
  const maxDebounceMs = settings.maxDebounceMs ?? settings.debounceMs * 5;

  const sessions = new Map<string, Session>();
  const modes = new Map<string, QueueMode>();
  const ready = Object.fromEntries(LANES.map((l) => [l, new Set<string>()])) as Record<Lane, Set<string>>;
  const laneActive = Object.fromEntries(LANES.map((l) => [l, 0])) as Record<Lane, number>;
  const laneShardActive = Object.fromEntries(
    LANES.map((l) => [l, new Array<number>(pool.size).fill(0)]),
  ) as Record<
    Lane,
    number[]
  >;
  const waits = createWaitStats();
  // Every lane's runs on a shard together stay under an adaptive cap (see adaptive_caps.ts).
  const adaptive = poolAdaptiveCaps(pool, LANES.map((l) => settings.lanes[l].perShard));
  let retryTimer: number | undefined;
  const totals = { started: 0, done: 0, failed: 0, requeued: 0, dropped: 0, steered: 0 };
  let activeCount = 0;
  let closing = false;
  let writes: Promise<void> = Promise.resolve();
  let idleWaiters: (() => void)[] = [];

  /** Store writes go through one chain so they land in order; failures are logged, never thrown. */
  const write = (what: string, fn: () => Promise<unknown>) => {
    writes = writes.then(fn).then(
      () => {},
      (err) => logger.error(`lanes: ${what} failed`, { error: String(err) }),
    );
  };
  const markInbox = (ids: number[], state: InboxState, error?: string) => {
    if (inbox && ids.length > 0) write(`inbox ${state}`, () => inbox.mark(ids, state, error));
  };
  const milestone = (
    kind: "queued" | "run.start" | "run.end",
    runId: string,
    sessionKey: string,
    data: Record<string, unknown>,
  ) => {
    // Stamped now: the write itself is queued behind others and would otherwise carry a later time.
    const ts = clock.now();
    if (milestones) write(`milestone ${kind}`, () => milestones.add({ runId, sessionKey, kind, data, ts }));
    bus?.publish({ event: kind, payload: { runId, sessionKey, ...data }, runId, sessionKey });
    // The worker logs every run's start and end; here only what went wrong is worth an info line.
    const level = kind === "run.end" && data.status !== "done" ? "info" : "debug";
    logger[level](kind, { runId, sessionKey, ...data });
  };

  const session = (key: string): Session => {
    let s = sessions.get(key);
    if (!s) {
      s = { key, shard: pool.shardOf(key), pending: [], dropped: [], readyAt: 0 };
      sessions.set(key, s);
    }
    return s;
  };

  const unready = (s: Session) => {
    for (const lane of LANES) ready[lane].delete(s.key);
  };

  /** Puts an idle session with queued messages in its lane's ready set, after its debounce window. */
  const schedule = (s: Session) => {
    if (s.active || s.pending.length === 0 || closing) return unready(s);
    const now = clock.now();
    if (settings.debounceMs > 0) {
      const first = s.pending[0]!.queuedAt;
      const last = s.pending[s.pending.length - 1]!.queuedAt;
      const readyAt = Math.min(last + settings.debounceMs, first + maxDebounceMs);
      if (readyAt > now) {
        unready(s);
        if (s.timer !== undefined) clock.clearTimeout(s.timer);
        s.timer = clock.setTimeout(() => {
          s.timer = undefined;
          schedule(s);
          pump();
        }, readyAt - now);
        return;
      }
    }
    const lane = s.pending[0]!.lane;
    if (ready[lane].has(s.key)) return;
    unready(s);
    ready[lane].add(s.key);
  };

  const pump = () => {
    if (closing) return;
    adaptive.refresh((lane, shard) => laneShardActive[LANES[lane]!][shard]!);
    let held = false;
    const full = new Set<number>();
    for (const [laneIndex, lane] of LANES.entries()) {
      const cap = settings.lanes[lane];
      full.clear();
      for (const key of ready[lane]) {
        // Every shard at its adaptive cap: the rest of the ready sessions wait (without a scan of them).
        if (laneActive[lane] >= cap.global || full.size === pool.size) break;
        const s = sessions.get(key);
        if (!s) {
          ready[lane].delete(key);
          continue;
        }
        if (laneShardActive[lane][s.shard]! >= cap.perShard) continue;
        if (laneShardActive[lane][s.shard]! >= adaptive.cap(laneIndex, s.shard)) {
          held = true;
          full.add(s.shard);
          adaptive.held(laneIndex, s.shard);
          continue;
        }
        ready[lane].delete(key);
        dispatch(s);
      }
    }
    // Held back by an adaptive cap: look again after the next heartbeats may have raised it.
    if (held && retryTimer === undefined) {
      retryTimer = clock.setTimeout(() => {
        retryTimer = undefined;
        // Measure the held shards now rather than at their next heartbeat: a burst ramps up in ~250 ms steps.
        adaptive.probeHeld();
        pump();
      }, 250);
    }
  };

  const dispatch = (s: Session) => {
    const items = takeTurn(s.pending, settings.debounceMs);
    const head = items[0];
    if (!head) return;
    const now = clock.now();
    const lane = head.lane;
    const waitMs = now - Math.min(...items.map((i) => i.queuedAt));
    const turn: Turn = {
      runId: head.runId,
      sessionKey: s.key,
      lane,
      messages: items.map(toJobMessage),
      dropped: s.dropped.splice(0),
      attempt: Math.max(...items.map((i) => i.attempt)),
      shard: s.shard,
      startedAt: now,
      waitMs,
      inboxIds: inboxIdsOf(items),
    };
    const active: Active = { turn, items, steers: new Map(), handle: undefined as never };
    s.active = active;
    activeCount++;
    laneActive[lane]++;
    laneShardActive[lane][s.shard]!++;
    totals.started++;
    waits.record(waitMs);
    markInbox(turn.inboxIds, "running");
    milestone("queued", turn.runId, s.key, {
      waitMs,
      lane,
      shard: s.shard,
      messages: items.length,
      ...(items.length > 1 ? { mergedRunIds: items.map((i) => i.runId) } : {}),
    });
    milestone("run.start", turn.runId, s.key, { lane, shard: s.shard, attempt: turn.attempt });
    const { shard: _shard, startedAt: _startedAt, waitMs: _waitMs, inboxIds: _inboxIds, ...input } = turn;
    try {
      active.handle = pool.run(input, {
        onEvent: (event, data) => {
          bus?.publish({ event, payload: data, runId: turn.runId, sessionKey: s.key });
          try {
            hooks.onEvent?.(turn, event, data);
          } catch (err) {
            logger.error("lanes: onEvent hook threw", { runId: turn.runId, error: String(err) });
          }
        },
        onSettled: (outcome) => void finish(s, active, outcome),
      }, { timeoutMs: Math.max(...items.map((i) => i.timeoutMs ?? settings.runTimeoutMs)) });
    } catch (err) {
      void finish(s, active, {
        status: "failed",
        error: { code: "UNAVAILABLE", message: (err as Error).message },
        aborted: false,
        consumedSteers: [],
      });
    }
  };

  const finish = async (s: Session, active: Active, outcome: JobOutcome) => {
    const { turn } = active;
    const consumed = new Set(outcome.consumedSteers);
    const steerItems = [...active.steers.entries()];
    const taken = steerItems.filter(([id]) => consumed.has(id)).map(([, i]) => i);
    const untaken = steerItems.filter(([id]) => !consumed.has(id)).map(([, i]) => i);
    let end: TurnEnd;
    if (outcome.status === "done") {
      try {
        if (!closing) await hooks.onResult?.(turn, outcome.result);
        end = { status: "done", result: outcome.result };
      } catch (err) {
        end = {
          status: "failed",
          error: { code: "INTERNAL", message: `Result handling failed: ${String(err)}` },
        };
      }
    } else if (outcome.status === "lost" && turn.attempt <= settings.maxRequeues && !closing) {
      end = { status: "requeued", error: outcome.error };
    } else if (outcome.status !== "lost" && outcome.error.code === "TIMEOUT") {
      end = { status: "timeout", error: outcome.error };
    } else if (outcome.status === "failed" && outcome.aborted && active.stopping) {
      end = { status: "interrupted", error: outcome.error };
    } else {
      end = { status: "failed", error: outcome.error };
    }

    if (!closing) {
      const endIds = [...turn.inboxIds, ...inboxIdsOf(taken)];
      if (end.status === "requeued") {
        // Everything of the turn, steers included, runs again from the front of the queue.
        const again = [...active.items, ...taken, ...untaken].map((i) => ({ ...i, attempt: i.attempt + 1 }));
        s.pending.unshift(...again);
        s.dropped.unshift(...turn.dropped);
        markInbox([...endIds, ...inboxIdsOf(untaken)], "queued");
        totals.requeued++;
      } else {
        // Steers the job never took become follow-ups, in arrival order.
        s.pending.unshift(...untaken.map((i) => ({ ...i, mode: "followup" as const })));
        s.pending.sort((a, b) => a.queuedAt - b.queuedAt);
        if (end.status === "done") markInbox(endIds, "done");
        else if (end.status === "interrupted") markInbox(endIds, "interrupted", end.error.message);
        else markInbox(endIds, "failed", `${end.error.code}: ${end.error.message}`);
        if (end.status === "done") totals.done++;
        else totals.failed++;
      }
      milestone("run.end", turn.runId, s.key, {
        status: end.status,
        durationMs: clock.now() - turn.startedAt,
        shard: turn.shard,
        ...(end.status !== "done" ? { error: end.error } : {}),
      });
      if (end.status === "failed" || end.status === "timeout") {
        try {
          await hooks.onFailed?.(turn, end);
        } catch (err) {
          logger.error("lanes: onFailed hook threw", { runId: turn.runId, error: String(err) });
        }
      }
    }

    s.active = undefined;
    activeCount--;
    laneActive[turn.lane]--;
    laneShardActive[turn.lane][turn.shard]!--;
    schedule(s);
    if (!s.active && s.pending.length === 0 && s.dropped.length === 0 && s.timer === undefined) {
      sessions.delete(s.key);
    }
    pump();
    checkIdle();
  };

  const busy = () => {
    if (activeCount > 0) return true;
    for (const s of sessions.values()) if (s.pending.length > 0) return true;
    return false;
  };

  const checkIdle = () => {
    if (idleWaiters.length === 0 || busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    void writes.then(() => waiters.forEach((w) => w()));
  };

  const dropItems = (s: Session, items: QueuedItem[], reason: string, cause: DropCause) => {
    if (items.length === 0) return;
    totals.dropped += items.length;
    markInbox(inboxIdsOf(items), "dropped", reason);
    bus?.publish({
      event: "lanes.dropped",
      payload: { sessionKey: s.key, runIds: items.map((i) => i.runId), reason },
      sessionKey: s.key,
    });
    logger.warn("lanes: messages dropped", { sessionKey: s.key, runIds: items.map((i) => i.runId), reason });
    try {
      hooks.onDropped?.(items, s.key, cause);
    } catch (err) {
      logger.error("lanes: onDropped hook threw", { sessionKey: s.key, error: String(err) });
    }
  };

  return {
    submit(req) {
      if (closing) throw new RangeError("The scheduler is closed");
      if (typeof req?.sessionKey !== "string" || req.sessionKey.length === 0) {
        throw new TypeError("submit: sessionKey must be a non-empty string");
      }
      const lane = req.lane ?? "main";
      if (!LANES.includes(lane)) throw new RangeError(`submit: unknown lane "${lane}"`);
      if (req.mode !== undefined && !QUEUE_MODES.includes(req.mode)) {
        throw new RangeError(`submit: unknown queue mode "${req.mode}"`);
      }
      const now = clock.now();
      const mode = req.mode ?? modes.get(req.sessionKey) ??
        (req.channel ? opts.channelMode?.(req.channel, req.accountId) : undefined) ?? settings.queueMode;
      const payload = req.payload ?? null;
      const item: QueuedItem = {
        id: newId("msg"),
        runId: req.runId ?? newRunId(),
        payload,
        summary: oneLine(req.summary ?? summarizePayload(payload)),
        ...(req.senderId !== undefined ? { senderId: req.senderId } : {}),
        receivedAt: req.receivedAt ?? now,
        ...(req.interrupted ? { interrupted: true } : {}),
        lane,
        mode,
        attempt: 1,
        ...(req.inboxId !== undefined ? { inboxId: req.inboxId } : {}),
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        queuedAt: now,
      };
      const s = session(req.sessionKey);
      const active = s.active;
      let action: SubmitAction = "queued";
      if (active && !active.stopping && mode === "steer" && active.turn.lane === lane) {
        const steerId = newId("steer");
        active.steers.set(steerId, item);
        active.handle.steer(steerId, toJobMessage(item));
        totals.steered++;
        bus?.publish({
          event: "lanes.steered",
          payload: { runId: item.runId, activeRunId: active.turn.runId, sessionKey: s.key },
          runId: item.runId,
          sessionKey: s.key,
        });
        return { runId: item.runId, action: "steered", mode, depth: s.pending.length };
      }
      if (active && mode === "interrupt") {
        const skipped = s.pending.splice(0);
        s.dropped.push(...skipped.map((i) => i.summary));
        dropItems(s, skipped, "skipped by interrupt", { kind: "interrupt" });
        s.pending.push(item);
        if (!active.stopping) {
          active.stopping = "interrupted";
          active.handle.abort("interrupted by a newer message");
        }
        action = "interrupting";
      } else {
        const admission = admit(s.pending, item, settings.queueCap, settings.queueDrop);
        s.dropped.push(...admission.summaries);
        dropItems(s, admission.dropped, `queue cap ${settings.queueCap} (${settings.queueDrop})`, {
          kind: "cap",
          policy: settings.queueDrop,
        });
        if (!admission.accepted) {
          if (!s.active && s.pending.length === 0) sessions.delete(s.key);
          return { runId: item.runId, action: "dropped", mode, depth: s.pending.length };
        }
      }
      bus?.publish({
        event: "lanes.queued",
        payload: { runId: item.runId, sessionKey: s.key, mode, depth: s.pending.length, lane },
        runId: item.runId,
        sessionKey: s.key,
      });
      schedule(s);
      pump();
      return { runId: item.runId, action, mode, depth: s.pending.length };
    },
    setSessionMode(sessionKey, mode) {
      if (mode === undefined) modes.delete(sessionKey);
      else if (!QUEUE_MODES.includes(mode)) throw new RangeError(`Unknown queue mode "${mode}"`);
      else modes.set(sessionKey, mode);
    },
    sessionMode: (sessionKey) => modes.get(sessionKey),
    abort(sessionKey, reason = "stopped") {
      const active = sessions.get(sessionKey)?.active;
      if (!active?.handle) return false;
      active.stopping ??= "stopped";
      active.handle.abort(reason);
      return true;
    },
    steer(sessionKey, payload) {
      const active = sessions.get(sessionKey)?.active;
      if (!active?.handle || active.stopping) return false;
      active.handle.steer(newId("steer"), payload);
      return true;
    },
    activeRun: (sessionKey) => sessions.get(sessionKey)?.active?.turn.runId,
    status(): SchedulerStatus {
      const depth = new Array<number>(pool.size).fill(0);
      let waiting = 0;
      for (const s of sessions.values()) {
        depth[s.shard]! += s.pending.length;
        if (s.pending.length > 0) waiting++;
      }
      return {
        shards: pool.status().map((p) => ({
          shard: p.shard,
          alive: p.alive,
          queueDepth: depth[p.shard] ?? 0,
          active: LANES.reduce((n, l) => n + laneShardActive[l][p.shard]!, 0),
          restarts: p.restarts,
          ...(p.lastError ? { lastError: p.lastError } : {}),
        })),
        lanes: Object.fromEntries(
          LANES.map((l) => [l, { active: laneActive[l], cap: settings.lanes[l], ready: ready[l].size }]),
        ) as SchedulerStatus["lanes"],
        sessions: { active: activeCount, waiting },
        waits: waits.summary(),
        totals: { ...totals },
      };
    },
    idle() {
      if (!busy()) return writes;
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      if (closing) return;
      closing = true;
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer);
      for (const s of sessions.values()) {
        if (s.timer !== undefined) clock.clearTimeout(s.timer);
        s.timer = undefined;
      }
      await pool.close();
      await writes;
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
