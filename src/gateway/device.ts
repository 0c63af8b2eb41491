/**
 * Verification of the optional Ed25519 `device` block that OpenClaw clients add to `connect`:
 *   {id, publicKey, signature, signedAt, nonce}
 * - publicKey: base64url of the raw 32-byte Ed25519 key; id: hex SHA-256 of those 32 bytes;
 * - signature: base64url Ed25519 over
 *   `v3|id|client.id|client.mode|role|scopes,joined|signedAt|token|nonce|platform|deviceFamily`
 *   (platform and deviceFamily trimmed and ASCII-lower-cased); the older `v2` form without the last two
 *   fields is accepted as well;
 * - signedAt: epoch ms within ±120 s of the server clock; nonce: this connection's challenge nonce.
 * A verified device is recorded in the `devices` table. The block is optional: a right token is enough.
 */
import type { Clock } from "../core/clock.ts";
import { TalonError } from "../core/errors.ts";
import { fromBase64url, sha256Hex } from "../core/ids.ts";
import type { Db } from "../store/mod.ts";
import type { ConnectParams } from "./protocol/frames.ts";

/** Largest accepted difference between `signedAt` and the server clock. */
export const DEVICE_MAX_SKEW_MS = 120_000;

/** The OpenClaw detail codes a refused device block carries (`error.details.code`). */
export type DeviceRefusal =
  | "DEVICE_AUTH_INVALID"
  | "DEVICE_AUTH_PUBLIC_KEY_INVALID"
  | "DEVICE_AUTH_DEVICE_ID_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_EXPIRED"
  | "DEVICE_AUTH_NONCE_MISMATCH"
  | "DEVICE_AUTH_SIGNATURE_INVALID";

/** A connect refused because of its device block. Wire code UNAUTHORIZED, close 1008. */
export class DeviceAuthError extends TalonError {
  override name = "DeviceAuthError";
  constructor(reason: DeviceRefusal, message: string) {
    super("UNAUTHORIZED", message, { details: { code: reason } });
  }
}

/** A device seen on a verified connect. */
export interface DeviceRecord {
  id: string;
  publicKey: string;
  credentialId?: string;
  clientId?: string;
  platform?: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** The `devices` table. */
export interface DeviceRepo {
  /** Inserts the device or refreshes its last-seen time, credential, client and platform. */
  upsert(
    d: { id: string; publicKey: string; credentialId?: string; clientId?: string; platform?: string },
  ): Promise<void>;
  get(id: string): Promise<DeviceRecord | undefined>;
  list(): Promise<DeviceRecord[]>;
}

/** Creates the repository of the `devices` table. */
export function createDeviceRepo(db: Db, now: () => number = Date.now): DeviceRepo {
  const toRecord = (r: Record<string, unknown>): DeviceRecord => ({
    id: String(r.id),
    publicKey: String(r.public_key),
    credentialId: r.credential_id == null ? undefined : String(r.credential_id),
    clientId: r.client_id == null ? undefined : String(r.client_id),
    platform: r.platform == null ? undefined : String(r.platform),
    firstSeenAt: Number(r.first_seen_at),
    lastSeenAt: Number(r.last_seen_at),
  });
  return {
    async upsert(d) {
      const ts = now();
      await db.run(
        `INSERT INTO devices (id, public_key, credential_id, client_id, platform, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET credential_id = excluded.credential_id,
           client_id = excluded.client_id, platform = excluded.platform, last_seen_at = excluded.last_seen_at`,
        [d.id, d.publicKey, d.credentialId ?? null, d.clientId ?? null, d.platform ?? null, ts, ts],
      );
    },
    async get(id) {
      const rows = await db.query<Record<string, unknown>>("SELECT * FROM devices WHERE id = ?", [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list() {
      const rows = await db.query<Record<string, unknown>>("SELECT * FROM devices ORDER BY first_seen_at");
      return rows.map(toRecord);
    },
  };
}

/** Trims and lower-cases ASCII letters only (the signed form of platform and deviceFamily). */
export function normalizeDeviceMetadata(value: string | undefined): string {
  return (value ?? "").trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The exact text a device signs (`v3`, or `v2` without platform and deviceFamily). */
export function deviceSignedText(
  version: "v2" | "v3",
  f: {
    deviceId: string;
    clientId: string;
    clientMode: string;
    role: string;
    scopes: readonly string[];
    signedAt: number;
    token: string;
    nonce: string;
    platform?: string;
    deviceFamily?: string;
  },
): string {
  const parts = [
    version,
    f.deviceId,
    f.clientId,
    f.clientMode,
    f.role,
    f.scopes.join(","),
    String(f.signedAt),
  ];
  parts.push(f.token, f.nonce);
  if (version === "v3") {
    parts.push(normalizeDeviceMetadata(f.platform), normalizeDeviceMetadata(f.deviceFamily));
  }
  return parts.join("|");
}

/** Connection facts passed to the verifier besides the connect params. */
export interface DeviceConnectContext {
  credentialId?: string;
}

export interface DeviceVerifierDeps {
  clock: Clock;
  /** Where verified devices are recorded; omit to only verify. */
  devices?: DeviceRepo;
  maxSkewMs?: number;
}

/** The function `ConnectionDeps.verifyDevice` expects. */
export type DeviceVerifier = (
  params: ConnectParams,
  nonce: string,
  token: string | undefined,
  ctx?: DeviceConnectContext,
) => Promise<void>;

const B64URL = /^[A-Za-z0-9_-]+$/;

function decodeB64url(text: string): Uint8Array | undefined {
  if (!B64URL.test(text)) return undefined;
  try {
    return fromBase64url(text);
  } catch {
    return undefined;
  }
}

/**
 * Creates the device verifier. It throws {@link DeviceAuthError} (with an OpenClaw detail code) for a
 * bad block and records a good one. Call it only when `params.device` is present.
 */
export function createDeviceVerifier(deps: DeviceVerifierDeps): DeviceVerifier {
  const maxSkew = deps.maxSkewMs ?? DEVICE_MAX_SKEW_MS;
  return async (params, nonce, token, ctx = {}) => {
    const device = params.device;
    if (!device) return;
    const raw = decodeB64url(device.publicKey);
    if (!raw || raw.length !== 32) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_PUBLIC_KEY_INVALID",
        "Device refused: publicKey must be the base64url of a raw 32-byte Ed25519 key",
      );
    }
    const expectedId = await sha256Hex(raw);
    if (device.id.toLowerCase() !== expectedId) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_DEVICE_ID_MISMATCH",
        "Device refused: device.id is not the SHA-256 of its public key",
      );
    }
    if (device.nonce !== nonce) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_NONCE_MISMATCH",
        "Device refused: device.nonce does not match this connection's challenge",
      );
    }
    const skew = Math.abs(deps.clock.now() - device.signedAt);
    if (!Number.isFinite(skew) || skew > maxSkew) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_SIGNATURE_EXPIRED",
        `Device refused: signedAt is ${Math.round(skew / 1000)} s away from the gateway clock ` +
          `(allowed ±${maxSkew / 1000} s); check the client's clock`,
      );
    }
    const signature = decodeB64url(device.signature);
    if (!signature || signature.length !== 64) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_SIGNATURE_INVALID",
        "Device refused: signature must be the base64url of a 64-byte Ed25519 signature",
      );
    }
    let key: CryptoKey;
    try {
      key = await crypto.subtle.importKey("raw", raw as BufferSource, { name: "Ed25519" }, false, ["verify"]);
    } catch {
      throw new DeviceAuthError(
        "DEVICE_AUTH_PUBLIC_KEY_INVALID",
        "Device refused: publicKey is not an Ed25519 key",
      );
    }
    const fields = {
      deviceId: device.id,
      clientId: params.client?.id ?? "",
      clientMode: params.client?.mode ?? "",
      role: params.role ?? "operator",
      scopes: params.scopes ?? [],
      signedAt: device.signedAt,
      token: token ?? "",
      nonce: device.nonce,
      platform: params.client?.platform,
      deviceFamily: params.client?.deviceFamily,
    };
    const enc = new TextEncoder();
    let valid = false;
    for (const version of ["v3", "v2"] as const) {
      const data = enc.encode(deviceSignedText(version, fields));
      if (await crypto.subtle.verify("Ed25519", key, signature as BufferSource, data)) {
        valid = true;
        break;
      }
    }
    if (!valid) {
      throw new DeviceAuthError(
        "DEVICE_AUTH_SIGNATURE_INVALID",
        "Device refused: the device signature does not match the connect request",
      );
    }
    await deps.devices?.upsert({
      id: expectedId,
      publicKey: device.publicKey,
      credentialId: ctx.credentialId,
      clientId: params.client?.id,
      platform: params.client?.platform,
    });
  };
}
