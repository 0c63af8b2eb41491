/** One model call of a run (streamed), and the execution of the tool calls it asked for. */
import type { Clock } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";
import type { ModelRequest, StopReason, ToolCall } from "../providers/types.ts";
import type { ToolContext, ToolExecutor, ToolResult } from "../tools/types.ts";
import { INTERRUPTED_RESULT } from "./transcript_repair.ts";
import type { ModelAttempt, ModelStreamer } from "./types.ts";

/** The note a tool call gets when a steering message arrived before it started. */
export const SKIPPED_FOR_STEER = "skipped: the user sent a new message";

/** Rejects with the signal's reason as soon as it aborts, even when `p` never settles. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** What one model call produced so far; filled while streaming so a failure still tells what happened. */
export interface StepState {
  text: string;
  toolCalls: ToolCall[];
  stop?: StopReason;
  inputTokens: number;
  outputTokens: number;
  sawUsage: boolean;
  attempts: ModelAttempt[];
}

export function newStepState(): StepState {
  return { text: "", toolCalls: [], inputTokens: 0, outputTokens: 0, sawUsage: false, attempts: [] };
}

/** The `provider/model` ref of the attempt that succeeded, when any. */
export function answeringRef(state: StepState): string | undefined {
  const ok = [...state.attempts].reverse().find((a) => a.ok) ?? state.attempts[state.attempts.length - 1];
  return ok ? `${ok.provider}/${ok.model}` : undefined;
}

/**
 * Streams one model call into `state`. `onText` sees each text delta. The signal ends the stream
 * even if the provider does not watch it. Throws what the streamer throws, or the abort reason.
 */
export async function streamStep(args: {
  models: ModelStreamer;
  chain: string[];
  req: Omit<ModelRequest, "model">;
  state: StepState;
  onText(delta: string): void;
  onThinking?(delta: string): void;
}): Promise<void> {
  const { req, state } = args;
  const iterable = args.models.stream(args.chain, req, { onAttempt: (a) => state.attempts.push(a) });
  const it = iterable[Symbol.asyncIterator]();
  try {
    while (true) {
      const r = await abortable(it.next(), req.signal);
      if (r.done) break;
      const ev = r.value;
      if (ev.type === "text") {
        state.text += ev.delta;
        args.onText(ev.delta);
      } else if (ev.type === "thinking") args.onThinking?.(ev.delta);
      else if (ev.type === "tool_call") state.toolCalls.push(ev.call);
      else if (ev.type === "usage") {
        state.sawUsage = true;
        state.inputTokens += ev.inputTokens;
        state.outputTokens += ev.outputTokens;
      } else if (ev.type === "stop") state.stop = ev.reason;
    }
  } catch (err) {
    // Let the provider clean up (close the HTTP stream); do not wait for a stuck one.
    void Promise.resolve(it.return?.()).catch(() => {});
    throw err;
  }
}

export type ToolOutcome = "ok" | "error" | "aborted" | "skipped";

export interface ToolRunRecord {
  call: ToolCall;
  result: ToolResult;
  outcome: ToolOutcome;
  ms: number;
}

/**
 * Runs one tool call through the executor; the run's signal reaches the tool. When the run aborts
 * while the tool is still running, the call gets the "interrupted" result at once.
 */
export async function runToolCall(args: {
  tools: ToolExecutor;
  call: ToolCall;
  ctx: ToolContext;
  clock: Pick<Clock, "now">;
}): Promise<ToolRunRecord> {
  const { call, ctx, clock } = args;
  const t0 = clock.now();
  if (ctx.signal.aborted) {
    return { call, result: { content: INTERRUPTED_RESULT, isError: true }, outcome: "aborted", ms: 0 };
  }
  try {
    const result = await abortable(args.tools.execute(call.name, call.arguments, ctx), ctx.signal);
    return { call, result, outcome: result.isError ? "error" : "ok", ms: clock.now() - t0 };
  } catch (err) {
    if (ctx.signal.aborted) {
      return {
        call,
        result: { content: INTERRUPTED_RESULT, isError: true },
        outcome: "aborted",
        ms: clock.now() - t0,
      };
    }
    // The executor promises not to throw; if it does anyway, the model still gets a result.
    return {
      call,
      result: { content: `${call.name} failed: ${describeError(err)}`, isError: true },
      outcome: "error",
      ms: clock.now() - t0,
    };
  }
}

/** The record of a call skipped because the user steered the run. */
export function skippedCall(call: ToolCall): ToolRunRecord {
  return { call, result: { content: SKIPPED_FOR_STEER, isError: true }, outcome: "skipped", ms: 0 };
}
