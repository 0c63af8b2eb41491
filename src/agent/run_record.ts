/** End-of-run bookkeeping: usage rows, session counters, the run.end milestone, the audit row, end events. */
import { describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Principal } from "../core/principal.ts";
import { describePrincipal } from "../security/capabilities.ts";
import { utcDay } from "../store/sessions.ts";
import type { AgentStore } from "./run_exec.ts";
import type { RunEmitter } from "./run_events.ts";
import type { RunResult, RunSource } from "./types.ts";

/** Records a finished run and emits its `lifecycle end` and final chat events. Never throws. */
export async function recordRunEnd(
  deps: { store: AgentStore; log: Logger; ev: RunEmitter },
  r: RunResult,
  source?: RunSource,
  principal?: Principal,
): Promise<void> {
  const { store, log, ev } = deps;
  const safe = async (what: string, f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      log.error(`cannot record ${what}`, { error: describeError(err) });
    }
  };
  const { usage } = r;
  if (usage.inputTokens || usage.outputTokens) {
    await safe("usage", () =>
      store.usage.record({
        runId: r.runId,
        agentId: r.agentId,
        sessionKey: r.sessionKey,
        day: utcDay(r.startedAt),
        model: r.model,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: usage.costUsd,
      }));
    await safe("session usage", () => store.sessions.addUsage(r.sessionKey, usage));
  }
  const summary = {
    agentId: r.agentId,
    sessionId: r.sessionId,
    model: r.model ?? null,
    steps: r.steps,
    attempts: r.attempts,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd: usage.costUsd,
    requestBytes: usage.requestBytes,
    ms: r.endedAt - r.startedAt,
    ...(r.error ? { error: r.error.code } : {}),
  };
  const { runId, sessionKey, status } = r;
  await safe(
    "run.end",
    () => store.milestones.add({ runId, sessionKey, kind: "run.end", data: { status, ...summary } }),
  );
  await safe(
    "audit",
    () =>
      store.audit.record({
        kind: "agent.run",
        outcome: status,
        actor: source?.channel,
        runId,
        sessionKey,
        principal: describePrincipal(principal),
        detail: summary,
      }),
  );
  ev.emit("lifecycle", { phase: "end", status, ...summary, ...(r.error ? { error: r.error } : {}) });
  if (status === "ok") ev.chat("final", r.text);
  else ev.chat(status === "aborted" ? "aborted" : "error", r.text, r.error?.message);
  log.info("run ended", { status, steps: r.steps, ms: summary.ms });
}
