/**
 * A fake job-handler module for lanes tests and the lanes benchmark. The first message's payload is a
 * command: `{cmd: "echo" | "sleep" | "hold" | "hang" | "crash" | "crash-once" | "fail" | "ignore-abort", ms?}`.
 * Every job emits `started` first; the result echoes what the job saw.
 */
import type { JobContext, JobInput, Steer } from "../../src/lanes/protocol.ts";

interface Command {
  cmd?: string;
  ms?: number;
  text?: string;
}

let options: { label?: string; initLog?: string } = {};

/** With `initLog`, every worker that starts appends a line to that file (to count workers). */
export function init(opts: unknown): void {
  options = (opts ?? {}) as { label?: string; initLog?: string };
  if (options.initLog) Deno.writeTextFileSync(options.initLog, "init\n", { append: true });
}

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const id = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(id);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Waits until a steer `{release: true}` arrives (or the job is aborted); other steers are collected. */
function hold(ctx: JobContext, seen: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (list: Steer[]) => {
      for (const s of list) {
        const p = s.payload as { release?: boolean; payload?: unknown };
        if (p && p.release === true) {
          off();
          resolve();
          return;
        }
        seen.push(p?.payload ?? p);
        ctx.emit("steered", p?.payload ?? p);
      }
    };
    const off = ctx.steers.onSteer(() => check(ctx.steers.take()));
    ctx.signal.addEventListener("abort", () => {
      off();
      reject(ctx.signal.reason);
    }, { once: true });
    check(ctx.steers.take());
  });
}

export async function handleJob(job: JobInput, ctx: JobContext): Promise<unknown> {
  const first = (job.messages[0]?.payload ?? {}) as Command;
  ctx.emit("started", { runId: job.runId, texts: job.messages.map((m) => (m.payload as Command).text) });
  const steered: unknown[] = [];
  switch (first.cmd) {
    case "sleep":
      await abortable(first.ms ?? 0, ctx.signal);
      break;
    case "hold":
      await hold(ctx, steered);
      break;
    case "hang": {
      // Blocks the worker's event loop: heartbeats stop.
      const end = Date.now() + 60_000;
      while (Date.now() < end) { /* spin */ }
      break;
    }
    case "crash":
    case "crash-once":
      if (first.cmd === "crash" || job.attempt === 1) {
        setTimeout(() => {
          throw new Error("fake handler crashed");
        }, 0);
        await new Promise(() => {});
      }
      break;
    case "fail":
      throw Object.assign(new Error("fake failure"), { code: "PROVIDER_ERROR" });
    case "ignore-abort":
      await new Promise((r) => setTimeout(r, first.ms ?? 60_000));
      break;
  }
  return {
    runId: job.runId,
    shard: ctx.shard,
    attempt: job.attempt,
    texts: job.messages.map((m) => (m.payload as Command).text),
    runIds: job.messages.map((m) => m.runId),
    interrupted: job.messages.map((m) => m.interrupted === true),
    dropped: job.dropped,
    steered,
    label: options.label,
  };
}
