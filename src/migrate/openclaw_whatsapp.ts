/**
 * Maps OpenClaw's `channels.whatsapp` (a Baileys linked device, incl. `accounts`) onto Talon WhatsApp
 * accounts in `mode: "web"`. The linked-device session itself (OpenClaw's auth dir) is not carried over:
 * Talon keeps its own keys, so each account is linked again with `talon channels login whatsapp`.
 */
import { talonCommand } from "../core/cli_name.ts";
import { toE164 } from "../core/phone.ts";
import { isObj, type Obj } from "./types.ts";
import { type MapContext, reportRest, stringList, talonId } from "./openclaw_values.ts";

const KEYS = [
  "enabled",
  "name",
  "accounts",
  "dmPolicy",
  "allowFrom",
  "groupPolicy",
  "groupAllowFrom",
  "groups",
  "textChunkLimit",
  "mediaMaxMb",
  "sendReadReceipts",
  "selfChatMode",
  "authDir",
];
const DM_POLICIES = ["pairing", "allowlist", "open", "disabled"];
const GROUP_POLICIES = ["allowlist", "open", "disabled"];

/** Numbers to E.164 (`whatsapp:` prefixes dropped); `*` and group JIDs stay. */
function numbers(list: unknown): string[] {
  return stringList(list).map((e) => {
    const v = e.trim().replace(/^whatsapp:/i, "");
    return v === "*" || v.endsWith("@g.us") ? v : toE164(v) ?? v;
  });
}

/** The accounts of `channels.whatsapp`; empty when absent or disabled. */
export function mapWhatsApp(section: unknown, ctx: MapContext): Record<string, Obj> {
  const base = "channels.whatsapp";
  if (!isObj(section)) return {};
  if (section.enabled === false) {
    ctx.unmapped.push({ path: base, reason: "disabled in OpenClaw (enabled: false); not imported" });
    return {};
  }
  const { accounts: raw, ...shared } = section;
  const accounts = isObj(raw) ? raw : {};
  const sources: [string, Obj, string][] = [];
  if (!accounts.default && Object.keys(accounts).length === 0) sources.push(["default", shared, base]);
  for (const [id, acc] of Object.entries(accounts)) {
    if (isObj(acc)) sources.push([id, { ...shared, ...acc }, `${base}.accounts.${id}`]);
  }
  const out: Record<string, Obj> = {};
  for (const [rawId, acc, path] of sources) {
    const id = talonId(rawId);
    if (!id) {
      ctx.unmapped.push({ path, reason: "account id has no usable characters" });
      continue;
    }
    if (acc.enabled === false) {
      ctx.unmapped.push({ path, reason: "account disabled in OpenClaw; not imported" });
      continue;
    }
    reportRest(acc, KEYS, path, "no Talon equivalent", ctx);
    out[id] = mapAccount(acc, path, ctx);
    ctx.warnings.push(
      `${path}: the linked phone is not carried over; link it again with: ${talonCommand()} channels login whatsapp` +
        (id === "default" ? "" : ` --account ${id}`),
    );
  }
  return out;
}

function mapAccount(acc: Obj, path: string, ctx: MapContext): Obj {
  const out: Obj = { mode: "web" };
  const dm = typeof acc.dmPolicy === "string" ? acc.dmPolicy : undefined;
  if (dm && DM_POLICIES.includes(dm)) out.dmPolicy = dm;
  else if (dm) ctx.unmapped.push({ path: `${path}.dmPolicy`, reason: `unknown DM policy "${dm}"` });
  const allowFrom = numbers(acc.allowFrom);
  if (allowFrom.length) out.allowFrom = allowFrom;
  const gp = typeof acc.groupPolicy === "string" ? acc.groupPolicy : undefined;
  if (gp && GROUP_POLICIES.includes(gp)) out.groupPolicy = gp;
  else if (gp) ctx.unmapped.push({ path: `${path}.groupPolicy`, reason: `unknown group policy "${gp}"` });
  if (typeof acc.textChunkLimit === "number") {
    out.textChunkLimit = Math.min(4096, Math.max(256, Math.round(acc.textChunkLimit)));
  }
  if (typeof acc.mediaMaxMb === "number") out.mediaMaxBytes = Math.round(acc.mediaMaxMb * 1024 * 1024);
  if (typeof acc.sendReadReceipts === "boolean") out.sendReadReceipts = acc.sendReadReceipts;
  if (acc.selfChatMode === true) out.selfChat = true;
  if (acc.authDir !== undefined) {
    ctx.unmapped.push({
      path: `${path}.authDir`,
      reason: "Talon keeps its own linked-device keys (~/.talon/credentials/whatsapp/<account>); link again",
    });
  }
  const groupAllow = numbers(acc.groupAllowFrom);
  const groups: Obj = {};
  if (isObj(acc.groups)) {
    for (const [gid, g] of Object.entries(acc.groups)) {
      if (!isObj(g) || g.enabled === false) continue;
      const entry: Obj = {};
      if (typeof g.requireMention === "boolean") entry.requireMention = g.requireMention;
      const allow = numbers(g.allowFrom);
      if (allow.length) entry.allowFrom = allow;
      else if (groupAllow.length) entry.allowFrom = groupAllow;
      reportRest(
        g,
        ["requireMention", "allowFrom", "enabled"],
        `${path}.groups.${gid}`,
        "no per-group setting",
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
