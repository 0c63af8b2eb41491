/**
 * The durable front door of the lanes: every message is written to the inbox before it is queued;
 * duplicate deliveries stop here; on start, what the last process left queued or running is queued again.
 */
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { type InboxItem, type InboxRepo } from "../store/inbox.ts";
import type { Scheduler, SubmitRequest, SubmitResult } from "./scheduler_types.ts";

export interface IntakeMessage extends Omit<SubmitRequest, "inboxId" | "runId" | "interrupted"> {
  /** channel + account + platform message id (see inboxDedupeKey). */
  dedupeKey: string;
  agentId: string;
  runId: string;
}

export interface Intake {
  /** Writes the message to the inbox, then queues it. A duplicate delivery returns `{duplicate: true}` only. */
  receive(m: IntakeMessage): Promise<{ duplicate: boolean; inboxId: number; result?: SubmitResult }>;
  /**
   * Records a message that is answered at once without queueing (an immediate chat command) as done, so a
   * platform's redelivery of it is recognised. Returns true when its dedupe key was seen before.
   */
  seen(
    m: Pick<IntakeMessage, "dedupeKey" | "sessionKey" | "agentId" | "runId" | "summary">,
  ): Promise<boolean>;
  /**
   * Queues again everything the inbox holds as queued/running from before a restart, oldest first.
   * Messages interrupted mid-run come with `interrupted: true` (the job notes that in its transcript);
   * those recovered more than `maxRecoveries` times are handed to `onGiveUp` (send a notice) and marked failed.
   */
  recover(options?: {
    maxRecoveries?: number;
    toRequest?: (item: InboxItem) => Omit<SubmitRequest, "inboxId" | "runId" | "interrupted" | "sessionKey">;
    onGiveUp?: (item: InboxItem) => void | Promise<void>;
  }): Promise<{ requeued: number; gaveUp: number }>;
}

/** Stored inbox payload: the request fields needed to queue the message again after a restart. */
interface StoredPayload {
  payload: unknown;
  lane?: SubmitRequest["lane"];
  senderId?: string;
  summary?: string;
  channel?: string;
  accountId?: string;
  mode?: SubmitRequest["mode"];
}

export function createIntake(deps: { inbox: InboxRepo; scheduler: Scheduler; logger?: Logger }): Intake {
  const { inbox, scheduler } = deps;
  const logger = deps.logger ?? silentLogger;
  return {
    async seen(m) {
      const accepted = await inbox.accept({
        dedupeKey: m.dedupeKey,
        sessionKey: m.sessionKey,
        agentId: m.agentId,
        runId: m.runId,
        payload: { summary: m.summary ?? "" },
        state: "done",
      });
      if (accepted.duplicate) logger.info("duplicate command delivery ignored", { dedupeKey: m.dedupeKey });
      return accepted.duplicate;
    },
    async receive(m) {
      const stored: StoredPayload = {
        payload: m.payload ?? null,
        ...(m.lane ? { lane: m.lane } : {}),
        ...(m.senderId !== undefined ? { senderId: m.senderId } : {}),
        ...(m.summary !== undefined ? { summary: m.summary } : {}),
        ...(m.channel !== undefined ? { channel: m.channel } : {}),
        ...(m.accountId !== undefined ? { accountId: m.accountId } : {}),
        ...(m.mode !== undefined ? { mode: m.mode } : {}),
      };
      const accepted = await inbox.accept({
        dedupeKey: m.dedupeKey,
        sessionKey: m.sessionKey,
        agentId: m.agentId,
        payload: stored,
        runId: m.runId,
      });
      if (accepted.duplicate) {
        logger.info("lanes: duplicate delivery dropped", { runId: accepted.runId, sessionKey: m.sessionKey });
        return { duplicate: true, inboxId: accepted.id };
      }
      const { dedupeKey: _d, agentId: _a, ...req } = m;
      const result = scheduler.submit({ ...req, inboxId: accepted.id });
      return { duplicate: false, inboxId: accepted.id, result };
    },
    async recover(options = {}) {
      const max = options.maxRecoveries ?? 2;
      let requeued = 0;
      let gaveUp = 0;
      for (const item of await inbox.recover()) {
        if (item.recoveries > max) {
          gaveUp++;
          logger.warn("lanes: giving up on a message interrupted repeatedly", {
            runId: item.runId,
            sessionKey: item.sessionKey,
            recoveries: item.recoveries,
          });
          try {
            await options.onGiveUp?.(item);
          } finally {
            await inbox.mark([item.id], "failed", `interrupted ${item.recoveries} times by restarts`);
          }
          continue;
        }
        const stored = (item.payload ?? {}) as StoredPayload;
        const base = options.toRequest?.(item) ?? { ...stored, payload: stored.payload };
        scheduler.submit({
          ...base,
          // Recovered messages run one after another; an old `interrupt` must not abort its neighbours.
          mode: "followup",
          sessionKey: item.sessionKey,
          runId: item.runId,
          inboxId: item.id,
          ...(item.interrupted ? { interrupted: true } : {}),
          receivedAt: item.createdAt,
        });
        requeued++;
      }
      return { requeued, gaveUp };
    },
  };
}
