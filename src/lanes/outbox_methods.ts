/** Gateway methods `outbox.list` (read), `outbox.retry` and `outbox.drop` (admin). */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import { OUTBOX_STATES, type OutboxRepo } from "../store/outbox.ts";

export const outboxListParams = z.strictObject({
  state: z.enum(OUTBOX_STATES as unknown as [string, ...string[]]).optional(),
  runId: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
}).prefault({});

export const outboxRetryParams = z.union([
  z.strictObject({ id: z.number().int().min(1) }),
  z.strictObject({ allDead: z.literal(true) }),
]);

export const outboxDropParams = z.strictObject({ id: z.number().int().min(1) });

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

/** The outbox methods. `kick` (the dispatcher's) makes a retried chunk go out at once. */
export function createOutboxMethods(deps: { outbox: OutboxRepo; kick?: () => void }): MethodDef<unknown>[] {
  const { outbox } = deps;
  return [
    erase({
      name: "outbox.list",
      scope: "read",
      params: outboxListParams,
      description: "Reply chunks in the outbox, filtered by state (e.g. dead) or runId.",
      async handler(p) {
        const items = await outbox.list(p as Parameters<OutboxRepo["list"]>[0]);
        return { items, counts: await outbox.counts() };
      },
    }),
    erase({
      name: "outbox.retry",
      scope: "admin",
      params: outboxRetryParams,
      description: "Puts a dead or dropped chunk (or every dead one) back in line.",
      async handler(p) {
        const retried = await outbox.retry("id" in p ? p.id : undefined);
        if ("id" in p && retried === 0) {
          throw new TalonError("NOT_FOUND", `Outbox item ${p.id} is not dead or dropped`);
        }
        if (retried > 0) deps.kick?.();
        return { retried };
      },
    }),
    erase({
      name: "outbox.drop",
      scope: "admin",
      params: outboxDropParams,
      description: "Drops a pending or dead chunk: it is never sent.",
      async handler(p) {
        if (!(await outbox.drop(p.id))) {
          throw new TalonError("NOT_FOUND", `Outbox item ${p.id} is not pending or dead`);
        }
        return { dropped: p.id };
      },
    }),
  ];
}
