/** Streaming a run's events onto the bus: `agent` events for every step, `chat` events for chat clients. */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { AgentEvent, ChatEvent, ChatState, RunStream } from "./types.ts";

export interface RunEmitter {
  emit(stream: RunStream, data: Record<string, unknown>): AgentEvent;
  /** A chat event; `content` is the assistant text so far. */
  chat(state: ChatState, content: string, errorMessage?: string): void;
  /** Events emitted so far. */
  readonly count: number;
}

/** Creates the emitter of one run. Sequence numbers start at 1 per run and per stream family. */
export function createRunEmitter(
  deps: { bus: EventBus; clock: Pick<Clock, "now">; runId: string; sessionKey: string },
): RunEmitter {
  let seq = 0;
  let chatSeq = 0;
  const { bus, clock, runId, sessionKey } = deps;
  return {
    get count() {
      return seq;
    },
    emit(stream, data) {
      const payload: AgentEvent = { runId, seq: ++seq, stream, ts: clock.now(), data };
      bus.publish({ event: "agent", payload, sessionKey, runId });
      return payload;
    },
    chat(state, content, errorMessage) {
      const payload: ChatEvent = {
        runId,
        sessionKey,
        seq: ++chatSeq,
        state,
        message: { role: "assistant", content },
        ...(errorMessage !== undefined ? { errorMessage } : {}),
      };
      bus.publish({ event: "chat", payload, sessionKey, runId });
    },
  };
}
