/**
 * Baileys message → InboundMessage (pure). Status broadcasts, newsletters, reactions and protocol
 * messages are skipped; the linked number's own messages only in self-chat mode (and never the replies
 * Talon sent itself). Groups are mentioned by an @-mention of the linked number or a reply to it.
 */
import type { InboundMessage, MediaRef } from "../../core/types.ts";
import { isBroadcastJid, isGroupJid, jidUser, userIdOf } from "./jid.ts";
import { longToNumber, type WaContent, type WaContextInfo, type WaMessage } from "./web_socket.ts";

/** The linked account, as Baileys reports it in `sock.user`. */
export interface LinkedAccount {
  id: string;
  lid?: string;
}

export interface WebInboundOptions {
  accountId: string;
  me: LinkedAccount;
  selfChat: boolean;
  /** True for ids of messages Talon itself sent (self-chat must not answer its own replies). */
  sentByUs(id: string): boolean;
  /** A LID → phone number lookup for group participants without `participantAlt`. */
  phoneOf?(lidJid: string): string | undefined;
  now: number;
}

/** An attachment to download once the message is admitted. */
export interface WebPendingMedia {
  kind: MediaRef["kind"];
  mime?: string;
  name?: string;
  bytes?: number;
}

export type WebInboundResult =
  | { inbound: InboundMessage; media: WebPendingMedia[] }
  | { skip: "no-id" | "broadcast" | "own" | "no-content" | "unknown-sender" };

/** Unwraps ephemeral / view-once / document-with-caption envelopes. */
export function unwrapContent(content: WaContent | null | undefined): WaContent | undefined {
  let c = content ?? undefined;
  for (let i = 0; i < 4 && c; i++) {
    const inner = c.ephemeralMessage?.message ?? c.viewOnceMessage?.message ?? c.viewOnceMessageV2?.message ??
      c.documentWithCaptionMessage?.message;
    if (!inner) break;
    c = inner;
  }
  return c;
}

/** Converts one message. */
export function toWebInbound(msg: WaMessage, o: WebInboundOptions): WebInboundResult {
  const { key } = msg;
  const chat = key.remoteJid ?? "";
  if (!key.id || !chat) return { skip: "no-id" };
  if (isBroadcastJid(chat)) return { skip: "broadcast" };
  const group = isGroupJid(chat);
  const myUser = jidUser(o.me.id);
  if (key.fromMe) {
    const selfChat = !group && [chat, key.remoteJidAlt].some((j) => isMe(j, o.me));
    if (!o.selfChat || !selfChat || o.sentByUs(key.id)) return { skip: "own" };
  }
  const content = unwrapContent(msg.message);
  const parts = content ? readContent(content) : undefined;
  if (!parts || (!parts.text.trim() && !parts.media.length)) return { skip: "no-content" };
  const senderId = key.fromMe
    ? userIdOf(o.me.id)
    : group
    ? userIdOf(key.participant, key.participantAlt) ?? lidToPhone(key.participant, o)
    : userIdOf(chat, key.remoteJidAlt);
  if (!senderId) return { skip: "unknown-sender" };
  const resolvedSender = senderId.startsWith("lid:") ? lidToPhone(key.participant, o) ?? senderId : senderId;
  const ctx = parts.context;
  const mentioned = !group ||
    (ctx?.mentionedJid ?? []).some((j) => isMe(j, o.me)) ||
    isMe(ctx?.participant, o.me);
  const text = group && myUser
    ? parts.text.replaceAll(`@${myUser}`, "").replaceAll(`@${jidUser(o.me.lid) ?? "\u0000"}`, "")
      .replace(/[ \t]{2,}/g, " ").trim()
    : parts.text;
  const ts = longToNumber(msg.messageTimestamp);
  return {
    inbound: {
      channel: "whatsapp",
      accountId: o.accountId,
      peer: group ? { kind: "group", id: chat } : { kind: "direct", id: resolvedSender },
      sender: { id: resolvedSender, ...(msg.pushName ? { name: msg.pushName } : {}) },
      text,
      messageId: key.id,
      mentioned,
      ts: ts ? ts * 1000 : o.now,
    },
    media: parts.media,
  };
}

function lidToPhone(jid: string | null | undefined, o: WebInboundOptions): string | undefined {
  return jid && jid.endsWith("@lid") ? o.phoneOf?.(jid) : undefined;
}

/** True when `jid` is the linked account (by phone-number user or LID user). */
export function isMe(jid: string | null | undefined, me: LinkedAccount): boolean {
  const user = jidUser(jid);
  if (!user) return false;
  return user === jidUser(me.id) || (me.lid !== undefined && user === jidUser(me.lid));
}

function readContent(c: WaContent): { text: string; media: WebPendingMedia[]; context?: WaContextInfo } {
  const media: WebPendingMedia[] = [];
  const add = (kind: MediaRef["kind"], m: NonNullable<WaContent["imageMessage"]>) =>
    media.push({
      kind,
      mime: m.mimetype ?? undefined,
      name: m.fileName ?? undefined,
      bytes: longToNumber(m.fileLength),
    });
  if (c.imageMessage) add("image", c.imageMessage);
  if (c.stickerMessage) add("image", c.stickerMessage);
  if (c.videoMessage) add("video", c.videoMessage);
  if (c.audioMessage) add("audio", c.audioMessage);
  if (c.documentMessage) add("document", c.documentMessage);
  const withMedia = c.imageMessage ?? c.videoMessage ?? c.documentMessage ?? c.audioMessage ??
    c.stickerMessage;
  const text = c.conversation ?? c.extendedTextMessage?.text ?? withMedia?.caption ?? "";
  const context = c.extendedTextMessage?.contextInfo ?? withMedia?.contextInfo ?? undefined;
  return { text, media, context };
}
