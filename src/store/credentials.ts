import { newId, sha256Hex } from "../core/ids.ts";
import type { Db } from "./db.ts";

export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = typeof SCOPES[number];

export interface Credential {
  id: string;
  name: string;
  /** `signin`: a one-time Control UI sign-in code; it can only be redeemed (see ui_methods.ts). */
  kind: "gateway" | "operator" | "device" | "signin";
  scopes: Scope[];
  createdAt: number;
  lastUsedAt?: number;
}

/**
 * Credentials the gateway accepts. Only a SHA-256 of each token is stored; the scopes granted to a
 * connection come from here, never from what the client claims.
 */
export interface CredentialRepo {
  /** Stores a token's hash with its scopes. Replaces an existing credential with the same id. */
  put(
    c: { id?: string; name: string; kind: Credential["kind"]; scopes: Scope[]; token: string },
  ): Promise<Credential>;
  /** Finds the credential of a presented token (by hash; the hash lookup is not timing-sensitive). */
  findByToken(token: string): Promise<Credential | undefined>;
  list(): Promise<Credential[]>;
  revoke(id: string): Promise<boolean>;
  /** Every live credential with the stored SHA-256 (hex) of its token. */
  listHashes(): Promise<{ credential: Credential; hash: string }[]>;
  touch(id: string): Promise<void>;
  /**
   * A one-time sign-in code that no longer works, by its token: `used` when a connection redeemed it
   * (redeeming marks it used), `expired` when it was swept unused. Undefined for anything else.
   */
  spentSignin(token: string): Promise<"used" | "expired" | undefined>;
}

export function createCredentialRepo(db: Db, now = Date.now): CredentialRepo {
  const toCredential = (r: Record<string, unknown>): Credential => ({
    id: String(r.id),
    name: String(r.name),
    kind: String(r.kind) as Credential["kind"],
    scopes: JSON.parse(String(r.scopes)),
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at == null ? undefined : Number(r.last_used_at),
  });
  return {
    async put(c) {
      const id = c.id ?? newId("cred");
      const hash = await sha256Hex(c.token);
      await db.batch([
        { sql: "DELETE FROM credentials WHERE id = ? OR token_hash = ?", args: [id, hash] },
        {
          sql:
            "INSERT INTO credentials (id, name, kind, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          args: [id, c.name, c.kind, hash, JSON.stringify(c.scopes), now()],
        },
      ]);
      return { id, name: c.name, kind: c.kind, scopes: c.scopes, createdAt: now() };
    },
    async findByToken(token) {
      const hash = await sha256Hex(token);
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM credentials WHERE token_hash = ? AND revoked_at IS NULL",
        [hash],
      );
      return rows[0] ? toCredential(rows[0]) : undefined;
    },
    async list() {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM credentials WHERE revoked_at IS NULL ORDER BY created_at",
      );
      return rows.map(toCredential);
    },
    async revoke(id) {
      const r = await db.run("UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
        now(),
        id,
      ]);
      return r.rowsAffected > 0;
    },
    async listHashes() {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM credentials WHERE revoked_at IS NULL",
      );
      return rows.map((r) => ({ credential: toCredential(r), hash: String(r.token_hash) }));
    },
    async touch(id) {
      await db.run("UPDATE credentials SET last_used_at = ? WHERE id = ?", [now(), id]);
    },
    async spentSignin(token) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT last_used_at FROM credentials WHERE token_hash = ? AND kind = 'signin' AND revoked_at IS NOT NULL",
        [await sha256Hex(token)],
      );
      if (!rows[0]) return undefined;
      return rows[0].last_used_at == null ? "expired" : "used";
    },
  };
}
