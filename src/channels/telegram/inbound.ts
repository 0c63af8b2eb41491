/** Telegram update → InboundMessage: chat kinds, forum topics, mention detection, media. */
import type { Api } from "grammy";
import type { InboundMessage, MediaRef } from "../../core/types.ts";

/** A Telegram update as grammY types it. */
export type Update = Awaited<ReturnType<Api["getUpdates"]>>[number];
/** A Telegram message. */
export type Message = NonNullable<Update["message"]>;

export interface BotIdentity {
  id: number;
  username: string;
}

/** A file the adapter should download: Telegram's file id and what we know before fetching. */
export interface PendingFile {
  fileId: string;
  uniqueId: string;
  kind: MediaRef["kind"];
  mime?: string;
  name?: string;
  bytes?: number;
}

/** The message of an update the adapter handles, or undefined (edits, channel posts, service updates). */
export function messageOf(update: Update): Message | undefined {
  const msg = update.message;
  if (!msg || !msg.from) return undefined;
  return msg;
}

/** Converts a message to an InboundMessage (without media, which is downloaded separately). */
export function toInbound(msg: Message, accountId: string, bot: BotIdentity): InboundMessage {
  const chat = msg.chat;
  const direct = chat.type === "private";
  const forumTopic = !direct && "is_forum" in chat && chat.is_forum && msg.is_topic_message;
  const raw = msg.text ?? msg.caption ?? "";
  const mentioned = isMentioned(msg, bot);
  const from = msg.from!;
  return {
    channel: "telegram",
    accountId,
    peer: { kind: direct ? "direct" : "group", id: String(chat.id) },
    threadId: forumTopic && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined,
    sender: {
      id: String(from.id),
      name: [from.first_name, from.last_name].filter(Boolean).join(" ") || undefined,
      username: from.username,
    },
    text: direct ? raw : stripBotMention(raw, bot.username),
    messageId: `${chat.id}:${msg.message_id}`,
    mentioned: direct ? true : mentioned,
    ts: msg.date * 1000,
  };
}

/** True when the message @mentions the bot, addresses a command to it, or replies to one of its messages. */
export function isMentioned(msg: Message, bot: BotIdentity): boolean {
  const text = msg.text ?? msg.caption ?? "";
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  for (const e of entities) {
    const part = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention" && part === handle) return true;
    if (e.type === "text_mention" && e.user?.id === bot.id) return true;
    if (e.type === "bot_command" && part.endsWith(handle)) return true;
  }
  const replied = msg.reply_to_message;
  // In forum topics every message "replies" to the topic's first message; that is not a reply to us.
  if (replied && replied.from?.id === bot.id && !(msg.is_topic_message && replied.forum_topic_created)) {
    return true;
  }
  return false;
}

/** Files attached to a message: the largest photo size within `maxBytes`, documents, voice, audio, video. */
export function filesOf(msg: Message, maxBytes: number): PendingFile[] {
  const out: PendingFile[] = [];
  if (msg.photo?.length) {
    const fitting = msg.photo.filter((p) => (p.file_size ?? 0) <= maxBytes);
    const best = fitting.at(-1) ?? msg.photo[0]!;
    out.push({
      fileId: best.file_id,
      uniqueId: best.file_unique_id,
      kind: "image",
      mime: "image/jpeg",
      bytes: best.file_size,
    });
  }
  if (msg.document) {
    const d = msg.document;
    const kind = d.mime_type?.startsWith("image/") ? "image" : "document";
    out.push({
      fileId: d.file_id,
      uniqueId: d.file_unique_id,
      kind,
      mime: d.mime_type,
      name: d.file_name,
      bytes: d.file_size,
    });
  }
  for (const a of [msg.voice, msg.audio]) {
    if (a) {
      out.push({
        fileId: a.file_id,
        uniqueId: a.file_unique_id,
        kind: "audio",
        mime: a.mime_type,
        bytes: a.file_size,
      });
    }
  }
  if (msg.video) {
    const v = msg.video;
    out.push({
      fileId: v.file_id,
      uniqueId: v.file_unique_id,
      kind: "video",
      mime: v.mime_type,
      bytes: v.file_size,
    });
  }
  return out;
}

function stripBotMention(text: string, username: string): string {
  const re = new RegExp(`@${username.replace(/[^\w]/g, "")}\\b`, "gi");
  return text.replace(re, "").replace(/[ \t]{2,}/g, " ").trim();
}
