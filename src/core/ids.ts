/** Identifier helpers. All ids are random and URL-safe. */
import { createHash } from "node:crypto";

/** A new random id with an optional prefix, e.g. `run_3f2a…`. */
export function newId(prefix = ""): string {
  const id = crypto.randomUUID().replaceAll("-", "");
  return prefix ? `${prefix}_${id}` : id;
}

/** A new run id. Every milestone of one message carries it. */
export function newRunId(): string {
  return newId("run");
}

/** `n` random bytes as lowercase hex. */
export function randomHex(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A random token of `n` bytes, base64url without padding. */
export function randomToken(n = 32): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return base64url(bytes);
}

/** Base64url encoding without padding. */
export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url (padding optional). Throws TypeError on bad input. */
export function fromBase64url(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const bin = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** SHA-256 of a string or bytes, as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): Promise<string> {
  // node:crypto's synchronous hash: ~1 µs for a token against ~30 µs for crypto.subtle.digest, whose
  // async round trip every authenticated HTTP request paid (4% of the main thread under load).
  return Promise.resolve(createHash("sha256").update(data).digest("hex"));
}

/** A fast non-cryptographic 32-bit hash (FNV-1a), stable across processes. Used for shard selection. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
