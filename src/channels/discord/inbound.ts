/** discord.js Message → InboundMessage: DMs, guild channels, threads, mentions, roles, attachments. */
import type { Message } from "discord.js";
import type { InboundMessage, MediaRef } from "../../core/types.ts";

/** Converts a message; undefined for bots (including ourselves) and system messages without text. */
export function discordToInbound(
  message: Message,
  accountId: string,
  botId: string,
): InboundMessage | undefined {
  if (message.author.bot || message.author.id === botId) return undefined;
  const channel = message.channel;
  const inGuild = message.guildId !== null;
  const thread = inGuild && channel.isThread();
  const mentioned = message.mentions.users.has(botId) || message.mentions.repliedUser?.id === botId;
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, "g"), "").replace(/[ \t]{2,}/g, " ")
    .trim();
  return {
    channel: "discord",
    accountId,
    peer: inGuild
      ? { kind: "channel", id: thread ? (channel.parentId ?? channel.id) : message.channelId }
      : { kind: "direct", id: message.author.id },
    threadId: thread ? channel.id : undefined,
    sender: {
      id: message.author.id,
      name: message.member?.displayName ?? message.author.globalName ?? message.author.username,
      username: message.author.username,
    },
    text,
    messageId: message.id,
    mentioned: inGuild ? mentioned : true,
    guildId: message.guildId ?? undefined,
    roles: message.member
      ? [...message.member.roles.cache.keys()].filter((id) => id !== message.guildId)
      : undefined,
    ts: message.createdTimestamp,
  };
}

/** Attachments as files to download. */
export function discordAttachments(
  message: Message,
): Array<{ url: string; name: string; bytes: number; kind: MediaRef["kind"]; mime?: string; id: string }> {
  return [...message.attachments.values()].map((a) => ({
    id: a.id,
    url: a.url,
    name: a.name,
    bytes: a.size,
    mime: a.contentType ?? undefined,
    kind: a.contentType?.startsWith("image/")
      ? "image"
      : a.contentType?.startsWith("audio/")
      ? "audio"
      : a.contentType?.startsWith("video/")
      ? "video"
      : "document",
  }));
}
