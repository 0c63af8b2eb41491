/** Gateway methods for approvals: `approvals.list` (read) and `approval.resolve` (admin). */
import { z } from "zod";
import type { MethodDef } from "../gateway/methods/registry.ts";
import { TalonError } from "../core/errors.ts";
import type { Approvals } from "./approvals.ts";
import { ToolError } from "./errors.ts";

const listParams = z.strictObject({}).optional();
const resolveParams = z.strictObject({
  id: z.string().min(1),
  decision: z.enum(["allow-once", "allow-always", "deny"]),
});

/** The method definitions; the gateway registers them with `registry.add(...)`. */
export function approvalMethods(
  approvals: Approvals,
): [MethodDef<z.infer<typeof listParams>>, MethodDef<z.infer<typeof resolveParams>>] {
  return [
    {
      name: "approvals.list",
      scope: "read",
      params: listParams,
      description: "Pending exec approvals.",
      handler: async () => ({ approvals: await approvals.pending() }),
    },
    {
      name: "approval.resolve",
      scope: "admin",
      params: resolveParams,
      description: "Resolve a pending approval: allow-once, allow-always or deny.",
      handler: async (p, ctx) => {
        const r = await approvals.resolve(p.id, p.decision, `credential:${ctx.credentialId}`).catch((err) => {
          if (err instanceof ToolError) {
            throw new TalonError("INVALID_REQUEST", err.message.replace(/^\w+: /, ""));
          }
          throw err;
        });
        if (!r) throw new TalonError("NOT_FOUND", `No pending approval ${p.id}`);
        return { approval: r };
      },
    },
  ];
}
