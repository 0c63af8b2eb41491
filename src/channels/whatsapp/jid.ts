/**
 * WhatsApp addresses. People are keyed by E.164 phone number (`+15551234567`) for `allowFrom`, pairing
 * and identity links; groups by their group JID (`120363…@g.us`). Baileys JIDs carry a device suffix
 * (`15551234567:12@s.whatsapp.net`) and, since WhatsApp's privacy ids, may be LIDs (`…@lid`) with the
 * phone-number JID alongside; a LID with no known number is kept as `lid:<id>`.
 */

import { toE164 } from "../../core/phone.ts";

export { toE164 };

/** True for a group JID. */
export function isGroupJid(jid: string): boolean {
  return /^[\d-]+@g\.us$/.test(jid);
}

/** True for status broadcasts, broadcast lists and newsletters: never conversations with us. */
export function isBroadcastJid(jid: string): boolean {
  return jid === "status@broadcast" || jid.endsWith("@broadcast") || jid.endsWith("@newsletter");
}

/**
 * Talon's id of a WhatsApp user from a JID and its alternative (Baileys' `remoteJidAlt` /
 * `participantAlt`): the E.164 number when either is a phone-number JID, else `lid:<id>`.
 */
export function userIdOf(jid: string | null | undefined, alt?: string | null): string | undefined {
  for (const candidate of [jid, alt]) {
    const e164 = candidate ? toE164(candidate) : undefined;
    if (e164) return e164;
  }
  const lid = [jid, alt].find((j) => j?.endsWith("@lid"));
  return lid ? `lid:${lid.slice(0, lid.indexOf("@")).split(":")[0]}` : undefined;
}

/** The JID to send to for a Talon peer id (`+1555…`, `lid:…`, or a group JID). */
export function jidOf(peerId: string): string {
  if (isGroupJid(peerId)) return peerId;
  if (peerId.startsWith("lid:")) return `${peerId.slice(4)}@lid`;
  const e164 = toE164(peerId);
  if (!e164) throw new TypeError(`Invalid WhatsApp target "${peerId}": expected +<number> or <id>@g.us`);
  return `${e164.slice(1)}@s.whatsapp.net`;
}

/** The bare user part of a JID (`15551234567` of `15551234567:3@s.whatsapp.net`), for identity checks. */
export function jidUser(jid: string | null | undefined): string | undefined {
  if (!jid) return undefined;
  const at = jid.indexOf("@");
  return (at === -1 ? jid : jid.slice(0, at)).split(":")[0] || undefined;
}

/** Normalises allowFrom entries: numbers and JIDs to E.164; `*`, `lid:…` and group JIDs as given. */
export { normalisePhoneList as normaliseAllowFrom } from "../../core/phone.ts";
