/**
 * An in-memory ModelStreamer driven by a script: each model call takes the next step. Records every
 * request (chain and request) so tests can check what the runtime sent.
 */
import type { ModelAttempt, ModelStreamer } from "../../src/agent/types.ts";
import type { ModelRequest, StreamEvent, ToolCall } from "../../src/providers/types.ts";
import { parseModelRef } from "../../src/providers/types.ts";

export type ScriptedRequest = Omit<ModelRequest, "model">;

export interface ScriptStepObject {
  events?: StreamEvent[];
  /** Thrown after `events` were yielded. */
  error?: Error;
  /** After `events`, wait until the request's signal aborts (then throw its reason). */
  hang?: boolean;
  /** With `hang`: ignore the signal and never finish (a misbehaving provider). */
  ignoreSignal?: boolean;
  /** Attempts to report before the successful one (failover). */
  failedAttempts?: Omit<ModelAttempt, "ok">[];
  /** Called when the step starts, e.g. to steer a run mid-stream. */
  onStart?(req: ScriptedRequest): void;
}

export type ScriptStep = StreamEvent[] | ScriptStepObject;

export interface ScriptedCall {
  chain: string[];
  req: ScriptedRequest;
  /** Set when the request's signal aborted while the step was streaming. */
  sawAbort: boolean;
}

export interface ScriptedModel extends ModelStreamer {
  readonly calls: ScriptedCall[];
  push(...steps: ScriptStep[]): void;
  readonly remaining: number;
}

/** Text deltas, optional usage, then stop "end". */
export function answer(text: string, usage?: { input: number; output: number }): StreamEvent[] {
  const parts = text.match(/.{1,5}/gs) ?? [];
  return [
    ...parts.map((delta) => ({ type: "text" as const, delta })),
    ...(usage ? [{ type: "usage" as const, inputTokens: usage.input, outputTokens: usage.output }] : []),
    { type: "stop", reason: "end" },
  ];
}

/** Optional text, then tool calls, then stop "tool_use". */
export function toolCalls(calls: ToolCall[], text = ""): StreamEvent[] {
  return [
    ...(text ? [{ type: "text" as const, delta: text }] : []),
    ...calls.map((call) => ({ type: "tool_call" as const, call })),
    { type: "stop", reason: "tool_use" },
  ];
}

export function createScriptedModel(steps: ScriptStep[] = []): ScriptedModel {
  const queue = [...steps];
  const calls: ScriptedCall[] = [];
  return {
    calls,
    get remaining() {
      return queue.length;
    },
    push(...more) {
      queue.push(...more);
    },
    stream(chain, req, hooks) {
      const record: ScriptedCall = { chain: [...chain], req: structuredCloneReq(req), sawAbort: false };
      calls.push(record);
      const raw = queue.shift();
      return (async function* () {
        if (!raw) throw new Error(`scripted model: no step left for call ${calls.length}`);
        const step: ScriptStepObject = Array.isArray(raw) ? { events: raw } : raw;
        const ref = parseModelRef(chain[0] ?? "none/none");
        for (const f of step.failedAttempts ?? []) hooks?.onAttempt?.({ ...f, ok: false });
        step.onStart?.(req);
        const t0 = Date.now();
        for (const ev of step.events ?? []) {
          if (req.signal.aborted) {
            record.sawAbort = true;
            throw req.signal.reason;
          }
          yield ev;
          await Promise.resolve();
        }
        if (step.hang) {
          await new Promise<void>((_, reject) => {
            if (step.ignoreSignal) return;
            const onAbort = () => {
              record.sawAbort = true;
              reject(req.signal.reason);
            };
            if (req.signal.aborted) onAbort();
            else req.signal.addEventListener("abort", onAbort, { once: true });
          });
        }
        if (step.error) {
          hooks?.onAttempt?.({
            provider: ref.provider,
            model: ref.model,
            ok: false,
            errorKind: (step.error as { kind?: string }).kind ?? "unknown",
            ms: Date.now() - t0,
          });
          throw step.error;
        }
        hooks?.onAttempt?.({ provider: ref.provider, model: ref.model, ok: true, ms: Date.now() - t0 });
      })();
    },
  };
}

function structuredCloneReq(req: ScriptedRequest): ScriptedRequest {
  const { signal, ...rest } = req;
  return { ...structuredClone(rest), signal };
}
