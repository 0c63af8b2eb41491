/**
 * Phone numbers in E.164 (`+15551234567`), the form WhatsApp senders, `allowFrom` and `owners` entries
 * are compared in. Accepts spaced/punctuated numbers, `whatsapp:` prefixes and phone-number JIDs
 * (`15551234567:12@s.whatsapp.net`).
 */

const PN_SERVERS = new Set(["s.whatsapp.net", "c.us"]);

/** Normalises a phone number or a user JID to E.164, or undefined when it is not one. */
export function toE164(raw: string): string | undefined {
  const trimmed = raw.trim().replace(/^whatsapp:/i, "");
  const at = trimmed.indexOf("@");
  if (at !== -1) {
    if (!PN_SERVERS.has(trimmed.slice(at + 1))) return undefined;
    const user = trimmed.slice(0, at).split(":")[0]!;
    return /^\d{6,15}$/.test(user) ? `+${user}` : undefined;
  }
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, "");
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : undefined;
}

/** Normalises list entries that are phone numbers or JIDs; `*`, `lid:…`, group JIDs and others stay. */
export function normalisePhoneList(entries: readonly string[]): string[] {
  return entries.map((e) => (e === "*" || e.startsWith("lid:") || e.endsWith("@g.us") ? e : toE164(e) ?? e));
}
