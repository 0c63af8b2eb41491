/**
 * Cloud API webhook payload → InboundMessages. Only `messages` changes addressed to this account's phone
 * number id are read; delivery statuses and other fields are ignored. Senders become E.164 numbers.
 */
import type { InboundMessage, MediaRef } from "../../core/types.ts";
import { toE164 } from "./jid.ts";

interface CloudMedia {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
}

/** One message of a webhook `value.messages` array (the fields we read). */
export interface CloudMessage {
  from?: string;
  id?: string;
  timestamp?: string;
  type?: string;
  group_id?: string;
  text?: { body?: string };
  image?: CloudMedia;
  document?: CloudMedia;
  audio?: CloudMedia & { voice?: boolean };
  video?: CloudMedia;
  sticker?: CloudMedia;
  context?: { from?: string; id?: string };
}

export interface CloudWebhookPayload {
  object?: string;
  entry?: {
    changes?: {
      field?: string;
      value?: {
        metadata?: { display_phone_number?: string; phone_number_id?: string };
        contacts?: { wa_id?: string; profile?: { name?: string } }[];
        messages?: CloudMessage[];
      };
    }[];
  }[];
}

/** A media object to download once the message is admitted. */
export interface CloudPendingMedia {
  mediaId: string;
  kind: MediaRef["kind"];
  mime?: string;
  name?: string;
}

export interface CloudInbound {
  inbound: InboundMessage;
  media: CloudPendingMedia[];
}

const MEDIA_KINDS: Record<string, MediaRef["kind"]> = {
  image: "image",
  sticker: "image",
  document: "document",
  audio: "audio",
  video: "video",
};

/** The messages of a webhook delivery for one phone number id. Malformed entries are skipped. */
export function cloudMessages(
  payload: CloudWebhookPayload,
  accountId: string,
  phoneNumberId: string,
  now: number,
): CloudInbound[] {
  const out: CloudInbound[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const value = change.value;
      if (change.field !== "messages" || value?.metadata?.phone_number_id !== phoneNumberId) continue;
      const own = (value.metadata.display_phone_number ?? "").replace(/\D/g, "");
      const names = new Map((value.contacts ?? []).map((c) => [c.wa_id ?? "", c.profile?.name]));
      for (const msg of value.messages ?? []) {
        const parsed = toCloudInbound(msg, accountId, own, names.get(msg.from ?? ""), now);
        if (parsed) out.push(parsed);
      }
    }
  }
  return out;
}

function toCloudInbound(
  msg: CloudMessage,
  accountId: string,
  ownNumber: string,
  name: string | undefined,
  now: number,
): CloudInbound | undefined {
  const sender = msg.from ? toE164(msg.from) : undefined;
  if (!sender || !msg.id || typeof msg.id !== "string") return undefined;
  const type = msg.type ?? "";
  const kind = MEDIA_KINDS[type];
  const media = kind ? (msg as Record<string, CloudMedia | undefined>)[type] : undefined;
  const text = type === "text" ? msg.text?.body ?? "" : media?.caption ?? "";
  if (type !== "text" && !media?.id) return undefined;
  const group = typeof msg.group_id === "string" && msg.group_id ? msg.group_id : undefined;
  const mentioned = !group ||
    (ownNumber !== "" &&
      (text.includes(`@${ownNumber}`) || msg.context?.from?.replace(/\D/g, "") === ownNumber));
  return {
    inbound: {
      channel: "whatsapp",
      accountId,
      peer: group ? { kind: "group", id: group } : { kind: "direct", id: sender },
      sender: { id: sender, name },
      text: group && ownNumber
        ? text.replaceAll(`@${ownNumber}`, "").replace(/[ \t]{2,}/g, " ").trim()
        : text,
      messageId: msg.id,
      mentioned,
      ts: Number(msg.timestamp) > 0 ? Number(msg.timestamp) * 1000 : now,
    },
    media: media?.id && kind
      ? [{ mediaId: media.id, kind, mime: media.mime_type, name: media.filename }]
      : [],
  };
}
