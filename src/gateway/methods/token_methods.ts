/**
 * `credentials.reload` (admin): the gateway re-reads its credentials from the store. `talon token`
 * changes the store directly (it works without a running gateway) and then calls this, so a revoked
 * token stops working at once instead of at the next restart.
 */
import { z } from "zod";
import type { MethodRegistry } from "./registry.ts";

export interface TokenMethodDeps {
  /** Re-reads credentials into the authenticator (the gateway's `Authenticator.reload`). */
  reload(): Promise<void>;
}

/** Registers `credentials.reload` (scope admin). */
export function registerTokenMethods(registry: MethodRegistry, deps: TokenMethodDeps): void {
  registry.add({
    name: "credentials.reload",
    scope: "admin",
    params: z.strictObject({}).optional(),
    description: "Re-read gateway credentials from the store (after `talon token create|revoke`).",
    handler: async () => {
      await deps.reload();
      return { reloaded: true };
    },
  });
}
