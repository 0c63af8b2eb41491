/** Gateway methods `pairing.list` (read), `pairing.approve` and `pairing.deny` (admin), for the Control UI. */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { ApprovedSender, PairingRepo } from "../store/pairing.ts";

export const pairingListParams = z.strictObject({ channel: z.string().min(1).max(64).optional() }).prefault(
  {},
);
export const pairingDecisionParams = z.strictObject({
  channel: z.string().min(1).max(64),
  code: z.string().regex(/^[A-Za-z0-9]{8}$/, "expected an 8-character pairing code"),
});

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

export interface PairingMethodDeps {
  pairing: PairingRepo;
  /** Called after an approval, e.g. to tell the sender they may talk now. Errors are ignored. */
  onApproved?: (sender: ApprovedSender) => void | Promise<void>;
}

/** The pairing methods; the integrator registers them with `registry.add(...)`. */
export function createPairingMethods(deps: PairingMethodDeps): MethodDef<unknown>[] {
  const { pairing } = deps;
  return [
    erase({
      name: "pairing.list",
      scope: "read",
      params: pairingListParams,
      description: "Pending pairing requests and approved senders.",
      async handler(p) {
        return { pending: await pairing.list(p.channel), approved: await pairing.approved(p.channel) };
      },
    }),
    erase({
      name: "pairing.approve",
      scope: "admin",
      params: pairingDecisionParams,
      description: "Approves the sender of a pending pairing code.",
      async handler(p, ctx) {
        const sender = await pairing.approve(p.channel, p.code, `gateway:${ctx.credentialId}`);
        if (!sender) {
          throw new TalonError(
            "NOT_FOUND",
            `No pending pairing request ${p.code.toUpperCase()} on ${p.channel}`,
          );
        }
        try {
          await deps.onApproved?.(sender);
        } catch {
          // Approval is stored; a failed notification must not undo it.
        }
        return { approved: sender };
      },
    }),
    erase({
      name: "pairing.deny",
      scope: "admin",
      params: pairingDecisionParams,
      description: "Drops a pending pairing request.",
      async handler(p) {
        if (!(await pairing.deny(p.channel, p.code))) {
          throw new TalonError(
            "NOT_FOUND",
            `No pending pairing request ${p.code.toUpperCase()} on ${p.channel}`,
          );
        }
        return { denied: p.code.toUpperCase() };
      },
    }),
  ];
}
