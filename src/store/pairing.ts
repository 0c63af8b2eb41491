import type { Db } from "./db.ts";

/** A sender waiting for the owner to approve them. */
export interface PairingRequest {
  channel: string;
  accountId: string;
  senderId: string;
  senderName?: string;
  code: string;
  createdAt: number;
  expiresAt: number;
}

/** A sender the owner approved. */
export interface ApprovedSender {
  channel: string;
  accountId: string;
  senderId: string;
  senderName?: string;
  approvedAt: number;
  approvedBy?: string;
}

/** Outcome of asking for a pairing code. */
export type PairingIssue =
  | { status: "created"; request: PairingRequest }
  | { status: "pending"; request: PairingRequest }
  | { status: "limited" };

/** Pairing requests and approved senders (DM policy `pairing`). */
export interface PairingRepo {
  /** Returns the sender's pending code, issues a new one, or refuses when the channel has too many pending. */
  request(
    input: { channel: string; accountId: string; senderId: string; senderName?: string },
  ): Promise<PairingIssue>;
  /** Unexpired requests, oldest first; all channels when `channel` is omitted. */
  list(channel?: string): Promise<PairingRequest[]>;
  /** Approves the request with this code (case-insensitive); undefined when there is none or it expired. */
  approve(channel: string, code: string, approvedBy?: string): Promise<ApprovedSender | undefined>;
  /** Removes the request with this code; false when there was none. */
  deny(channel: string, code: string): Promise<boolean>;
  isApproved(channel: string, accountId: string, senderId: string): Promise<boolean>;
  approved(channel?: string): Promise<ApprovedSender[]>;
  /** Removes an approval; false when the sender was not approved. */
  revoke(channel: string, accountId: string, senderId: string): Promise<boolean>;
  /** Approves a sender directly (e.g. imported approvals); true when newly added. */
  grant(channel: string, accountId: string, senderId: string, approvedBy?: string): Promise<boolean>;
}

export interface PairingOptions {
  /** How long a code stays valid. Default one hour. */
  ttlMs?: number;
  /** Pending requests allowed per channel. Default 3. */
  maxPending?: number;
  /** Random source for codes (tests). */
  random?: (n: number) => Uint8Array;
}

/** Code alphabet without look-alikes (no 0/O, 1/I). 32 symbols, so a byte mod 32 is unbiased. */
export const PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

/** Creates the pairing repository. */
export function createPairingRepo(
  db: Db,
  now: () => number = Date.now,
  options: PairingOptions = {},
): PairingRepo {
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  const maxPending = options.maxPending ?? 3;
  const random = options.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const newCode = () => Array.from(random(CODE_LENGTH), (b) => PAIRING_ALPHABET[b % 32]).join("");
  const purge = () => db.run("DELETE FROM pairing_requests WHERE expires_at <= ?", [now()]);

  return {
    async request({ channel, accountId, senderId, senderName }) {
      await purge();
      const existing = await db.query<Record<string, unknown>>(
        "SELECT * FROM pairing_requests WHERE channel = ? AND account_id = ? AND sender_id = ?",
        [channel, accountId, senderId],
      );
      if (existing[0]) return { status: "pending", request: toRequest(existing[0]) };
      const [count] = await db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM pairing_requests WHERE channel = ?",
        [channel],
      );
      if (Number(count?.n ?? 0) >= maxPending) return { status: "limited" };
      for (let attempt = 0; attempt < 5; attempt++) {
        const request: PairingRequest = {
          channel,
          accountId,
          senderId,
          senderName,
          code: newCode(),
          createdAt: now(),
          expiresAt: now() + ttl,
        };
        const res = await db.run(
          `INSERT OR IGNORE INTO pairing_requests
           (channel, code, account_id, sender_id, sender_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            channel,
            request.code,
            accountId,
            senderId,
            senderName ?? null,
            request.createdAt,
            request.expiresAt,
          ],
        );
        if (res.rowsAffected === 1) return { status: "created", request };
      }
      throw new RangeError("Cannot allocate a unique pairing code");
    },
    async list(channel) {
      const rows = await db.query<Record<string, unknown>>(
        channel === undefined
          ? "SELECT * FROM pairing_requests WHERE expires_at > ? ORDER BY created_at"
          : "SELECT * FROM pairing_requests WHERE expires_at > ? AND channel = ? ORDER BY created_at",
        channel === undefined ? [now()] : [now(), channel],
      );
      return rows.map(toRequest);
    },
    async approve(channel, code, approvedBy) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM pairing_requests WHERE channel = ? AND code = ? AND expires_at > ?",
        [channel, code.trim().toUpperCase(), now()],
      );
      const req = rows[0] ? toRequest(rows[0]) : undefined;
      if (!req) return undefined;
      const sender: ApprovedSender = {
        channel,
        accountId: req.accountId,
        senderId: req.senderId,
        senderName: req.senderName,
        approvedAt: now(),
        approvedBy,
      };
      await db.batch([
        { sql: "DELETE FROM pairing_requests WHERE channel = ? AND code = ?", args: [channel, req.code] },
        {
          sql:
            `INSERT INTO approved_senders (channel, account_id, sender_id, sender_name, approved_at, approved_by)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET approved_at = excluded.approved_at,
                approved_by = excluded.approved_by`,
          args: [
            channel,
            req.accountId,
            req.senderId,
            req.senderName ?? null,
            sender.approvedAt,
            approvedBy ?? null,
          ],
        },
      ]);
      return sender;
    },
    async grant(channel, accountId, senderId, approvedBy) {
      const res = await db.run(
        `INSERT INTO approved_senders (channel, account_id, sender_id, sender_name, approved_at, approved_by)
           VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING`,
        [channel, accountId, senderId, now(), approvedBy ?? null],
      );
      return res.rowsAffected > 0;
    },
    async deny(channel, code) {
      const res = await db.run("DELETE FROM pairing_requests WHERE channel = ? AND code = ?", [
        channel,
        code.trim().toUpperCase(),
      ]);
      return res.rowsAffected > 0;
    },
    async isApproved(channel, accountId, senderId) {
      const rows = await db.query(
        "SELECT 1 FROM approved_senders WHERE channel = ? AND account_id = ? AND sender_id = ?",
        [channel, accountId, senderId],
      );
      return rows.length > 0;
    },
    async approved(channel) {
      const rows = await db.query<Record<string, unknown>>(
        channel === undefined
          ? "SELECT * FROM approved_senders ORDER BY approved_at"
          : "SELECT * FROM approved_senders WHERE channel = ? ORDER BY approved_at",
        channel === undefined ? [] : [channel],
      );
      return rows.map((r) => ({
        channel: String(r.channel),
        accountId: String(r.account_id),
        senderId: String(r.sender_id),
        senderName: r.sender_name == null ? undefined : String(r.sender_name),
        approvedAt: Number(r.approved_at),
        approvedBy: r.approved_by == null ? undefined : String(r.approved_by),
      }));
    },
    async revoke(channel, accountId, senderId) {
      const res = await db.run(
        "DELETE FROM approved_senders WHERE channel = ? AND account_id = ? AND sender_id = ?",
        [channel, accountId, senderId],
      );
      return res.rowsAffected > 0;
    },
  };
}

function toRequest(r: Record<string, unknown>): PairingRequest {
  return {
    channel: String(r.channel),
    accountId: String(r.account_id),
    senderId: String(r.sender_id),
    senderName: r.sender_name == null ? undefined : String(r.sender_name),
    code: String(r.code),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}
