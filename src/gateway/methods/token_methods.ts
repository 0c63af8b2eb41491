/**
 * Credential methods, all `admin` (credentials grant access; only the owner manages them):
 * - `credentials.reload`: the gateway re-reads its credentials from the store. `talon token` changes the
 *   store directly (it works without a running gateway) and then calls this, so a revoked token stops
 *   working at once instead of at the next restart.
 * - `tokens.list`: live credentials (id, name, kind, scopes, created, last used) — never a token or hash.
 * - `tokens.create {name, scopes}`: a new operator token; the token is in this answer only (stored hashed).
 * - `tokens.revoke {id}`: revokes and reloads; the gateway's own token is refused here.
 */
import { z } from "zod";
import { TalonError } from "../../core/errors.ts";
import { randomToken } from "../../core/ids.ts";
import { type CredentialRepo, type Scope, SCOPES } from "../../store/credentials.ts";
import type { MethodRegistry } from "./registry.ts";

export interface TokenMethodDeps {
  /** Re-reads credentials into the authenticator (the gateway's `Authenticator.reload`). */
  reload(): Promise<void>;
  /** The credential store; without it only `credentials.reload` is registered. */
  credentials?: CredentialRepo;
  /** Id of the gateway's own credential, which cannot be revoked here. */
  gatewayCredentialId?: string;
}

/** Registers `credentials.reload` and, with a credential store, `tokens.list|create|revoke` (all admin). */
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
  const repo = deps.credentials;
  if (!repo) return;
  registry.add({
    name: "tokens.list",
    scope: "admin",
    params: z.strictObject({}).optional(),
    description: "Live gateway credentials (never the tokens).",
    handler: async () => ({
      tokens: (await repo.list()).map((c) => ({
        id: c.id,
        name: c.name,
        kind: c.kind,
        scopes: c.scopes,
        createdAt: c.createdAt,
        lastUsedAt: c.lastUsedAt,
      })),
    }),
  });
  registry.add({
    name: "tokens.create",
    scope: "admin",
    params: z.strictObject({
      name: z.string().trim().min(1).max(100),
      scopes: z.array(z.enum(SCOPES)).min(1),
    }),
    description: "Creates an operator token with scopes; the token is returned once.",
    handler: async ({ name, scopes }) => {
      // `write` implies read, `admin` implies both: store the implied list like `talon token create`.
      const top = Math.max(...scopes.map((s) => SCOPES.indexOf(s)));
      const all = SCOPES.slice(0, top + 1) as Scope[];
      const token = randomToken();
      const cred = await repo.put({ name, kind: "operator", scopes: all, token });
      await deps.reload();
      return { id: cred.id, name, scopes: all, token };
    },
  });
  registry.add({
    name: "tokens.revoke",
    scope: "admin",
    params: z.strictObject({ id: z.string().min(1).max(200) }),
    description: "Revokes a credential (not the gateway's own token); it stops working at once.",
    handler: async ({ id }) => {
      if (id === (deps.gatewayCredentialId ?? "gateway")) {
        throw new TalonError("INVALID_REQUEST", "The gateway token cannot be revoked here");
      }
      if (!(await repo.revoke(id))) throw new TalonError("NOT_FOUND", `No live credential ${id}`);
      await deps.reload();
      return { revoked: id };
    },
  });
}
