/**
 * Asking a person and waiting: the part exec and MCP approvals share. A pending record is decided by
 * `approval.resolve` in this thread, or by another thread or process (the gateway's main thread,
 * `talon approvals`) — the store is the source of truth, so it is polled as well as listened to.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { ApprovalRecord, ApprovalRepo } from "./approval_repo.ts";

/** How a wait ended. `allow` covers allow-once and allow-always. */
export type WaitOutcome = "allow" | "deny" | "timeout" | "aborted";

/** In-process resolvers of pending waits, by approval id (a resolve here ends the wait at once). */
export type Waiters = Map<string, (outcome: WaitOutcome) => void>;

export interface WaitOptions {
  repo: ApprovalRepo;
  clock: Clock;
  id: string;
  timeoutMs: number;
  /** How often the record is re-read. Default 500 ms. */
  pollMs?: number;
  signal?: AbortSignal;
  waiters?: Waiters;
}

/**
 * Waits until approval `id` is allowed or denied, the timeout passes, or `signal` aborts. The listeners
 * are in place when this returns, so a decision made right after cannot be missed.
 */
export function waitForDecision(o: WaitOptions): Promise<WaitOutcome> {
  return new Promise<WaitOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: WaitOutcome) => {
      if (done) return;
      done = true;
      o.waiters?.delete(o.id);
      o.clock.clearTimeout(timer);
      o.clock.clearInterval(poll);
      o.signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const timer = o.clock.setTimeout(() => finish("timeout"), o.timeoutMs);
    const poll = o.clock.setInterval(() => {
      o.repo.get(o.id).then((r) => {
        if (r?.status === "allowed" || r?.status === "used") finish("allow");
        else if (r?.status === "denied") finish("deny");
      }).catch(() => {});
    }, o.pollMs ?? 500);
    const onAbort = () => finish("aborted");
    o.waiters?.set(o.id, finish);
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Ends a request nobody decided (timeout, aborted run): the record expires and subscribers hear it was
 * denied, with the reason.
 */
export async function expireRequest(
  repo: ApprovalRepo,
  bus: EventBus,
  record: Pick<ApprovalRecord, "id" | "runId" | "sessionKey">,
  reason: "timeout" | "aborted",
): Promise<void> {
  await repo.transition(record.id, "pending", "expired");
  bus.publish({
    event: "approval.resolved",
    runId: record.runId,
    sessionKey: record.sessionKey,
    payload: { id: record.id, decision: "deny", reason },
  });
}
