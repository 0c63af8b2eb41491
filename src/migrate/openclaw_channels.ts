/**
 * Maps OpenClaw's `channels.telegram`, `channels.discord` and `channels.whatsapp` (incl. `accounts`) onto
 * Talon's channel accounts.
 */
import { isObj, type Obj } from "./types.ts";
import { mapWhatsApp } from "./openclaw_whatsapp.ts";
import { type MapContext, mapSecret, reportRest, stringList, talonId } from "./openclaw_values.ts";

const DM_POLICIES = ["pairing", "allowlist", "open", "disabled"];
const GROUP_POLICIES = ["allowlist", "open", "disabled"];

/** Keys of an OpenClaw account that this mapper reads; the rest are reported. */
const COMMON_KEYS = [
  "enabled",
  "dmPolicy",
  "allowFrom",
  "groupPolicy",
  "groupAllowFrom",
  "groups",
  "accounts",
  "name",
];
const TELEGRAM_KEYS = [
  ...COMMON_KEYS,
  "botToken",
  "tokenFile",
  "apiRoot",
  "webhookUrl",
  "webhookSecret",
  "mediaMaxMb",
];
const DISCORD_KEYS = [...COMMON_KEYS, "token", "dm", "guilds", "defaultAccount"];

export interface MappedChannels {
  telegram?: { accounts: Record<string, Obj> };
  discord?: { accounts: Record<string, Obj> };
  whatsapp?: { accounts: Record<string, Obj> };
  /** Account ids per channel, for matching pairing files. */
  accountIds: { telegram: string[]; discord: string[]; whatsapp: string[] };
}

/** Maps `channels.*` of an OpenClaw config. Channels other than Telegram, Discord and WhatsApp are reported. */
export function mapChannels(channels: unknown, ctx: MapContext): MappedChannels {
  const out: MappedChannels = { accountIds: { telegram: [], discord: [], whatsapp: [] } };
  if (!isObj(channels)) return out;
  for (const [name, section] of Object.entries(channels)) {
    if (name === "telegram" || name === "discord") {
      const accounts = mapChannel(name, section, ctx);
      if (Object.keys(accounts).length) {
        out[name] = { accounts };
        out.accountIds[name] = Object.keys(accounts);
      }
    } else if (name === "whatsapp") {
      const accounts = mapWhatsApp(section, ctx);
      if (Object.keys(accounts).length) {
        out.whatsapp = { accounts };
        out.accountIds.whatsapp = Object.keys(accounts);
      }
    } else if (name === "defaults" || name === "modelByChannel") {
      ctx.unmapped.push({
        path: `channels.${name}`,
        reason: "no Talon equivalent; set policies per account",
      });
    } else {
      ctx.unmapped.push({
        path: `channels.${name}`,
        reason: `Talon has no ${name} channel yet (Telegram, Discord, WhatsApp and web chat)`,
      });
    }
  }
  return out;
}

function mapChannel(name: "telegram" | "discord", section: unknown, ctx: MapContext): Record<string, Obj> {
  const base = `channels.${name}`;
  if (!isObj(section)) return {};
  if (section.enabled === false) {
    ctx.unmapped.push({ path: base, reason: "disabled in OpenClaw (enabled: false); not imported" });
    return {};
  }
  const { accounts: rawAccounts, ...shared } = section;
  const sources: [string, Obj, string, string[]][] = [];
  const tokenKey = name === "telegram" ? "botToken" : "token";
  const accounts = isObj(rawAccounts) ? rawAccounts : {};
  if (
    !accounts.default && (shared[tokenKey] !== undefined || shared.tokenFile !== undefined ||
      Object.keys(accounts).length === 0)
  ) {
    sources.push(["default", shared, base, []]);
  }
  for (const [id, acc] of Object.entries(accounts)) {
    if (!isObj(acc)) continue;
    // An account inherits the channel-level settings it does not set itself; the token is never inherited.
    const { [tokenKey]: _t, tokenFile: _f, ...inherited } = shared;
    const fromChannel = Object.keys(inherited).filter((k) => !(k in acc));
    sources.push([id, { ...inherited, ...acc }, `${base}.accounts.${id}`, fromChannel]);
  }
  const out: Record<string, Obj> = {};
  for (const [rawId, acc, path, inheritedKeys] of sources) {
    const id = talonId(rawId);
    if (!id) {
      ctx.unmapped.push({ path, reason: "account id has no usable characters" });
      continue;
    }
    if (acc.enabled === false) {
      ctx.unmapped.push({ path, reason: "account disabled in OpenClaw; not imported" });
      continue;
    }
    const before = ctx.unmapped.length;
    reportRest(acc, name === "telegram" ? TELEGRAM_KEYS : DISCORD_KEYS, path, "no Talon equivalent", ctx);
    const mapped = name === "telegram" ? mapTelegram(acc, id, path, ctx) : mapDiscord(acc, id, path, ctx);
    // Settings inherited from the channel level were already reported there.
    const added = ctx.unmapped.splice(before).filter((u) =>
      !inheritedKeys.some((k) => u.path === `${path}.${k}` || u.path.startsWith(`${path}.${k}.`))
    );
    ctx.unmapped.push(...added);
    out[id] = mapped;
  }
  return out;
}

function token(acc: Obj, key: string, envName: string, id: string, path: string, ctx: MapContext): string {
  const mapped = mapSecret(acc[key], `${path}.${key}`, ctx);
  if (mapped) return mapped;
  const env = id === "default" ? envName : `${envName}_${id.toUpperCase().replace(/-/g, "_")}`;
  if (acc.tokenFile !== undefined) {
    ctx.unmapped.push({
      path: `${path}.tokenFile`,
      reason: `Talon has no token files; put the token in ${env} (talon.json refers to \${${env}})`,
    });
  } else {
    ctx.warnings.push(
      `${path}: no token in the config; OpenClaw fell back to ${env}, talon.json refers to \${${env}}`,
    );
  }
  return `\${${env}}`;
}

function access(acc: Obj, path: string, ctx: MapContext, stripPrefix: RegExp): Obj {
  const out: Obj = {};
  const dm = typeof acc.dmPolicy === "string" ? acc.dmPolicy : undefined;
  if (dm && DM_POLICIES.includes(dm)) out.dmPolicy = dm;
  else if (dm) {
    ctx.unmapped.push({
      path: `${path}.dmPolicy`,
      reason: `unknown DM policy "${dm}"; Talon's default (pairing) applies`,
    });
  }
  const allowFrom = stringList(acc.allowFrom).map((e) => e.replace(stripPrefix, ""));
  if (allowFrom.length) out.allowFrom = allowFrom;
  const gp = typeof acc.groupPolicy === "string" ? acc.groupPolicy : undefined;
  if (gp && GROUP_POLICIES.includes(gp)) out.groupPolicy = gp;
  else if (gp) ctx.unmapped.push({ path: `${path}.groupPolicy`, reason: `unknown group policy "${gp}"` });
  return out;
}

function mapTelegram(acc: Obj, id: string, path: string, ctx: MapContext): Obj {
  const out: Obj = { botToken: token(acc, "botToken", "TELEGRAM_BOT_TOKEN", id, path, ctx) };
  if (typeof acc.apiRoot === "string") out.apiRoot = acc.apiRoot;
  if (typeof acc.webhookUrl === "string") {
    out.mode = "webhook";
    out.webhookUrl = acc.webhookUrl;
    const secret = mapSecret(acc.webhookSecret, `${path}.webhookSecret`, ctx);
    if (secret) out.webhookSecret = secret;
  }
  if (typeof acc.mediaMaxMb === "number") out.mediaMaxBytes = Math.round(acc.mediaMaxMb * 1024 * 1024);
  Object.assign(out, access(acc, path, ctx, /^(tg|telegram):/i));
  const groupAllow = stringList(acc.groupAllowFrom).map((e) => e.replace(/^(tg|telegram):/i, ""));
  const groups: Obj = {};
  if (isObj(acc.groups)) {
    for (const [gid, g] of Object.entries(acc.groups)) {
      if (!isObj(g)) continue;
      if (g.enabled === false) continue;
      const entry: Obj = {};
      if (typeof g.requireMention === "boolean") entry.requireMention = g.requireMention;
      const allow = stringList(g.allowFrom).map((e) => e.replace(/^(tg|telegram):/i, ""));
      if (allow.length) entry.allowFrom = allow;
      else if (groupAllow.length) entry.allowFrom = groupAllow;
      reportRest(
        g,
        ["requireMention", "allowFrom", "enabled"],
        `${path}.groups.${gid}`,
        "no per-group Talon setting",
        ctx,
      );
      groups[gid] = entry;
    }
  }
  if (groupAllow.length && Object.keys(groups).length === 0) {
    ctx.unmapped.push({
      path: `${path}.groupAllowFrom`,
      reason: "Talon applies sender allowlists per group; list the groups under groups with their allowFrom",
    });
  }
  if (Object.keys(groups).length) out.groups = groups;
  return out;
}

function mapDiscord(acc: Obj, id: string, path: string, ctx: MapContext): Obj {
  const out: Obj = { botToken: token(acc, "token", "DISCORD_BOT_TOKEN", id, path, ctx) };
  // Older OpenClaw configs keep DM settings in `dm: {enabled, policy, allowFrom}`.
  const dm = isObj(acc.dm) ? acc.dm : {};
  const merged: Obj = {
    ...acc,
    dmPolicy: acc.dmPolicy ?? dm.policy,
    allowFrom: acc.allowFrom ?? dm.allowFrom,
  };
  Object.assign(out, access(merged, path, ctx, /^(user:|discord:|<@)/i));
  if (Array.isArray(out.allowFrom)) {
    out.allowFrom = (out.allowFrom as string[]).map((e) => e.replace(/>$/, ""));
  }
  if (dm.enabled === false) out.dmPolicy = "disabled";
  if (dm.groupEnabled !== undefined || dm.groupChannels !== undefined) {
    ctx.unmapped.push({ path: `${path}.dm.groupChannels`, reason: "Talon does not route Discord group DMs" });
  }
  const guilds: Obj = {};
  if (isObj(acc.guilds)) {
    for (const [gid, g] of Object.entries(acc.guilds)) {
      if (!isObj(g)) continue;
      const gpath = `${path}.guilds.${gid}`;
      const entry: Obj = {};
      if (typeof g.requireMention === "boolean") entry.requireMention = g.requireMention;
      if (isObj(g.channels)) {
        entry.channels = Object.entries(g.channels)
          .filter(([, c]) => !(isObj(c) && (c.enabled === false || c.allow === false)))
          .map(([c]) => c);
      }
      const roles = stringList(g.roles);
      if (roles.length) entry.roles = roles;
      if (stringList(g.users).length) {
        ctx.unmapped.push({
          path: `${gpath}.users`,
          reason: "Talon gates guilds by channel and role, not by user list",
        });
      }
      reportRest(
        g,
        ["requireMention", "channels", "roles", "users", "slug"],
        gpath,
        "no per-guild Talon setting",
        ctx,
      );
      guilds[gid] = entry;
    }
  }
  if (Object.keys(guilds).length) out.guilds = guilds;
  return out;
}
