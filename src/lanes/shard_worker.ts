/**
 * Entry point of a shard worker. It loads the job-handler module named by the `init` message and runs
 * the jobs the main thread starts, answering heartbeats while they run. Knows nothing about agents.
 */
import {
  type FromWorker,
  type JobContext,
  type JobHandlerModule,
  type JobInput,
  type Steer,
  toWorkerSchema,
} from "./protocol.ts";

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

interface RunningJob {
  controller: AbortController;
  pending: Steer[];
  consumed: string[];
  listeners: Set<(s: Steer) => void>;
}

const scope = globalThis as unknown as WorkerScope;
const jobs = new Map<string, RunningJob>();
let shard = -1;
let handler: Promise<JobHandlerModule> | undefined;

/** Events waiting for the end of this turn of the event loop; sent as one `events` message. */
let pendingEvents: { runId: string; event: string; data: unknown }[] = [];

function flushEvents(): void {
  if (pendingEvents.length === 0) return;
  const events = pendingEvents;
  pendingEvents = [];
  try {
    scope.postMessage({ type: "events", events } satisfies FromWorker);
  } catch {
    // One of them cannot be cloned: send them one by one, so only that one is replaced.
    for (const e of events) post({ type: "event", ...e });
  }
}

function emitEvent(runId: string, event: string, data: unknown): void {
  pendingEvents.push({ runId, event, data });
  if (pendingEvents.length === 1) queueMicrotask(flushEvents);
}

function post(message: FromWorker): void {
  // A job's events always arrive before its end.
  if (message.type === "done" || message.type === "failed") flushEvents();
  try {
    scope.postMessage(message);
  } catch (err) {
    // A result that cannot be cloned: report it as a failure of that job instead of losing it.
    if (message.type === "done") {
      scope.postMessage(
        {
          type: "failed",
          runId: message.runId,
          error: {
            code: "INTERNAL",
            message: `Job result cannot be sent to the main thread: ${(err as Error).message}`,
          },
          aborted: false,
          consumedSteers: message.consumedSteers,
        } satisfies FromWorker,
      );
    } else if (message.type === "event") {
      scope.postMessage(
        {
          type: "event",
          runId: message.runId,
          event: message.event,
          data: { unserializable: String(err) },
        } satisfies FromWorker,
      );
    } else {
      throw err;
    }
  }
}

async function loadHandler(url: string, options: unknown): Promise<JobHandlerModule> {
  const mod = await import(url) as Partial<JobHandlerModule>;
  if (typeof mod.handleJob !== "function") {
    throw new TypeError(`Job handler module ${url} does not export a handleJob function`);
  }
  await mod.init?.(options, shard);
  return mod as JobHandlerModule;
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; message?: unknown; name?: unknown };
    const code = typeof e.code === "string" ? e.code : e.name === "AbortError" ? "ABORTED" : "INTERNAL";
    return { code, message: typeof e.message === "string" ? e.message : String(err) };
  }
  return { code: "INTERNAL", message: String(err) };
}

async function runJob(job: JobInput): Promise<void> {
  const state: RunningJob = {
    controller: new AbortController(),
    pending: [],
    consumed: [],
    listeners: new Set(),
  };
  jobs.set(job.runId, state);
  const ctx: JobContext = {
    shard,
    signal: state.controller.signal,
    emit: (event, data) => {
      if (jobs.get(job.runId) === state) emitEvent(job.runId, event, data ?? null);
    },
    steers: {
      take() {
        const taken = state.pending.splice(0);
        state.consumed.push(...taken.map((s) => s.id));
        return taken;
      },
      onSteer(listener) {
        state.listeners.add(listener);
        return () => state.listeners.delete(listener);
      },
    },
  };
  try {
    if (!handler) throw new Error("Shard worker received a job before init");
    const mod = await handler;
    const result = await mod.handleJob(job, ctx);
    jobs.delete(job.runId);
    post({ type: "done", runId: job.runId, result: result ?? null, consumedSteers: state.consumed });
  } catch (err) {
    jobs.delete(job.runId);
    post({
      type: "failed",
      runId: job.runId,
      error: errorOf(err),
      aborted: state.controller.signal.aborted,
      consumedSteers: state.consumed,
    });
  }
}

scope.onmessage = (e: MessageEvent) => {
  const parsed = toWorkerSchema.safeParse(e.data);
  if (!parsed.success) {
    post({ type: "protocol_error", message: parsed.error.issues.map((i) => i.message).join("; ") });
    return;
  }
  const msg = parsed.data;
  switch (msg.type) {
    case "init":
      shard = msg.shard;
      handler = loadHandler(msg.handlerUrl, msg.handlerOptions);
      handler.then(
        () => post({ type: "ready", shard }),
        (err) => post({ type: "init_failed", error: errorOf(err) }),
      );
      break;
    case "start":
      void runJob(msg.job);
      break;
    case "abort": {
      const job = jobs.get(msg.runId);
      job?.controller.abort(new DOMException(msg.reason, "AbortError"));
      break;
    }
    case "steer": {
      const job = jobs.get(msg.runId);
      if (!job) break; // finished already: the main thread sees the steer as unconsumed
      const steer = { id: msg.steerId, payload: msg.payload };
      job.pending.push(steer);
      for (const listener of job.listeners) {
        try {
          listener(steer);
        } catch { /* a listener's failure is the handler's business */ }
      }
      break;
    }
    case "ping":
      post({ type: "pong", seq: msg.seq });
      break;
  }
};
