/**
 * Who caused a run (DESIGN.md "Security boundaries"). Decided by the server — from the credential that
 * authenticated a gateway client, or from a channel's access decision about a sender — never by a client's
 * claim, a channel name or the model. What each principal may do lives in one capability table
 * (src/security/capabilities.ts); this file holds only the vocabulary every layer shares.
 */

/** The closed set of principal kinds. */
export const PRINCIPAL_KINDS = ["owner", "user", "group", "hook", "api", "cron", "system"] as const;

export type PrincipalKind = typeof PRINCIPAL_KINDS[number];

/**
 * The principal of a run. `id` names the concrete caller where there is one: a channel sender
 * (`telegram:12345`), a credential id, a hook name, a cron job id.
 */
export interface Principal {
  kind: PrincipalKind;
  id?: string;
}

/** True when `value` is one of the principal kinds. */
export function isPrincipalKind(value: unknown): value is PrincipalKind {
  return typeof value === "string" && (PRINCIPAL_KINDS as readonly string[]).includes(value);
}
