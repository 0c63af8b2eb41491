import { sha256Hex } from "../core/ids.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { Credential, CredentialRepo } from "../store/credentials.ts";
import type { FailureLimiter } from "./rate_limit.ts";

export type AuthResult =
  | { ok: true; credential: Credential }
  | {
    ok: false;
    reason: "missing" | "mismatch" | "rate_limited";
    retryAfterMs?: number;
    /** The token was a one-time sign-in code that is spent (so the UI can say run `talon dashboard`). */
    spentSignin?: "used" | "expired";
  };

export interface Authenticator {
  /**
   * Checks a presented token for a remote address: rate limit → constant-time match → audit on failure.
   * Only a wrong token counts as a failed login: a request without any credential (what any web page can
   * make the browser send) is refused without counting, so it cannot lock the owner out.
   */
  authenticate(token: string | undefined, remoteAddr: string, via: "http" | "ws"): Promise<AuthResult>;
  /**
   * Re-reads credentials from the store (after a token was created or revoked). Connections opened with
   * a credential that is gone are closed (see onRevoked), except those of `keepConnectionsOf`: a one-time
   * sign-in code is revoked when redeemed, and the connection redeeming it must get its answer.
   */
  reload(options?: { keepConnectionsOf?: string[] }): Promise<void>;
  /**
   * Calls `listener` with the ids of credentials that a reload found gone (revoked or expired), so
   * connections opened with them can be closed. Returns an unsubscribe function.
   */
  onRevoked(listener: (credentialIds: string[]) => void): () => void;
}

/**
 * Authenticates gateway tokens. Credentials are kept in memory as SHA-256 hashes and every presented
 * token's hash is compared against all of them in constant time; a miss re-reads the store once.
 */
export async function createAuthenticator(deps: {
  credentials: CredentialRepo;
  limiter: FailureLimiter;
  audit: AuditRepo;
  now?: () => number;
}): Promise<Authenticator> {
  let known: { hash: Uint8Array; credential: Credential }[] = [];
  const revokedListeners = new Set<(credentialIds: string[]) => void>();
  const reload = async (options: { keepConnectionsOf?: string[] } = {}) => {
    const rows = await deps.credentials.listHashes();
    const before = known;
    known = rows.map((r) => ({ credential: r.credential, hash: hexToBytes(r.hash) }));
    const live = new Set([...known.map((k) => k.credential.id), ...options.keepConnectionsOf ?? []]);
    const gone = before.map((k) => k.credential.id).filter((id) => !live.has(id));
    if (gone.length === 0) return;
    for (const listener of revokedListeners) {
      try {
        listener(gone);
      } catch { /* a listener's failure must not stop the reload */ }
    }
  };
  await reload();

  const match = (hash: Uint8Array): Credential | undefined => {
    let found: Credential | undefined;
    for (const k of known) if (timingSafeEqual(k.hash, hash)) found ??= k.credential;
    return found;
  };

  // `token list` shows when each credential was last used; written at most once a minute per credential.
  const lastTouched = new Map<string, number>();
  const markUsed = (id: string) => {
    const now = deps.now?.() ?? Date.now();
    if (now - (lastTouched.get(id) ?? -Infinity) < 60_000) return;
    lastTouched.set(id, now);
    deps.credentials.touch(id).catch(() => {});
  };

  const fail = async (remoteAddr: string, via: string, reason: "missing" | "mismatch") => {
    if (reason === "mismatch") deps.limiter.fail(remoteAddr);
    await deps.audit.record({ kind: "auth.failure", outcome: reason, actor: remoteAddr, detail: { via } })
      .catch(() => {});
    return { ok: false as const, reason };
  };

  return {
    reload,
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },
    async authenticate(token, remoteAddr, via) {
      const limit = deps.limiter.check(remoteAddr);
      if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterMs: limit.retryAfterMs };
      if (!token) return await fail(remoteAddr, via, "missing");
      const hash = hexToBytes(await sha256Hex(token));
      let credential = match(hash);
      if (!credential) {
        await reload();
        credential = match(hash);
      }
      if (!credential) {
        const spent = await deps.credentials.spentSignin(token).catch(() => undefined);
        return { ...await fail(remoteAddr, via, "mismatch"), ...(spent ? { spentSignin: spent } : {}) };
      }
      deps.limiter.succeed(remoteAddr);
      markUsed(credential.id);
      return { ok: true, credential };
    },
  };
}

/** Compares two byte arrays in time independent of where they differ. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Compares two secrets in constant time (by their SHA-256, so lengths leak nothing either). */
export async function tokensEqual(a: string, b: string): Promise<boolean> {
  return timingSafeEqual(hexToBytes(await sha256Hex(a)), hexToBytes(await sha256Hex(b)));
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Reads a bearer token from an Authorization header value. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
