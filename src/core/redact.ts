/** Secret redaction for logs, config views and audit rows. */

const SECRET_KEY =
  /(token|secret|password|passwd|api[-_]?key|authorization|cookie|private[-_]?key|credential)/i;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+\/=-]{6,}/gi;
const KNOWN_PREFIXES =
  /\b(sk-[A-Za-z0-9_-]{8,}|sk-ant-[A-Za-z0-9_-]{8,}|xox[abp]-[A-Za-z0-9-]{8,}|\d{6,}:[A-Za-z0-9_-]{30,})/g;

export const REDACTED = "[redacted]";

/** True when an object key names a secret (`apiKey`, `token`, `botToken`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Replaces secret-looking substrings (bearer tokens, provider key formats) in free text. */
export function redactText(text: string): string {
  return text.replace(BEARER, `$1${REDACTED}`).replace(KNOWN_PREFIXES, REDACTED);
}

/**
 * Deep-copies a JSON-like value, replacing the values of secret-named keys. `${ENV}` references are kept
 * (they are not secrets themselves).
 */
export function redactValue<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && (typeof value === "string" || typeof value === "number")) {
    if (typeof value === "string" && /^\$\{[A-Z0-9_]+\}$/.test(value)) return value;
    return value === "" ? value : REDACTED;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
    return out;
  }
  if (typeof value === "string") return redactText(value);
  return value;
}
