import type {
  DiscordAccountConfig,
  TelegramAccountConfig,
  WhatsAppAccountConfig,
} from "../config/sections/channels.ts";
import { type AccessPolicy, type GroupRule, groupRuleFromGroups } from "./access.ts";
import { normaliseAllowFrom } from "./whatsapp/jid.ts";

/** The access policy of a Telegram account: DM policy, allowFrom, groups by chat id. */
export function telegramAccessPolicy(config: TelegramAccountConfig): AccessPolicy {
  return {
    dmPolicy: config.dmPolicy,
    // The account's owners may always talk to it.
    allowFrom: [...config.allowFrom, ...(config.owners ?? [])],
    groupPolicy: config.groupPolicy,
    groupRule: groupRuleFromGroups(config.groups),
  };
}

/**
 * The access policy of a Discord account. Guild messages are allowed by `guilds.<id>` (optionally
 * limited to `channels` and sender `roles`), else by `groups.<channelId>`; '*' matches any guild.
 */
export function discordAccessPolicy(config: DiscordAccountConfig): AccessPolicy {
  const byChannel = groupRuleFromGroups(config.groups);
  return {
    dmPolicy: config.dmPolicy,
    allowFrom: [...config.allowFrom, ...(config.owners ?? [])],
    groupPolicy: config.groupPolicy,
    groupRule(inbound): GroupRule | undefined {
      const guild = inbound.guildId ? config.guilds[inbound.guildId] ?? config.guilds["*"] : undefined;
      if (!guild) return byChannel(inbound);
      // Threads carry their parent channel as peer, so a thread inherits its channel's permission.
      const channelOk = !guild.channels || guild.channels.includes(inbound.peer.id);
      const roleOk = !guild.roles || (inbound.roles ?? []).some((r) => guild.roles!.includes(r));
      return { allowed: channelOk && roleOk, requireMention: guild.requireMention };
    },
  };
}

/**
 * The access policy of a WhatsApp account: senders are E.164 numbers, so `allowFrom` entries (numbers in
 * any spelling, or JIDs) are normalised the same way; groups by group id.
 */
export function whatsappAccessPolicy(config: WhatsAppAccountConfig): AccessPolicy {
  const groups = Object.fromEntries(
    Object.entries(config.groups).map(([id, g]) => [
      id,
      g.allowFrom ? { ...g, allowFrom: normaliseAllowFrom(g.allowFrom) } : g,
    ]),
  );
  return {
    dmPolicy: config.dmPolicy,
    // The account's owners may always talk to it.
    allowFrom: normaliseAllowFrom([...config.allowFrom, ...(config.owners ?? [])]),
    groupPolicy: config.groupPolicy,
    groupRule: groupRuleFromGroups(groups),
  };
}
