/**
 * Tool policy: which tools a session may see and call. A profile gives the base set; `tools.allow` adds,
 * `tools.deny` removes (deny always wins). Per-agent overrides (`agents.list[].tools`) replace the profile
 * and add to allow/deny; per-group overrides (`channels.<ch>.accounts.<acc>.groups.<id>.tools.deny`) deny more.
 * Entries are tool names, `group:<group>` or `*`.
 *
 * On top of that, the run's principal (src/security/capabilities.ts): owner, cron and system runs get the
 * configured policy; user, group, hook and api runs get their default set (widened by
 * `tools.byPrincipal.<principal>`) and never more than the configured policy; owner-only tools stay
 * owner-only whatever the config says.
 */
import type { Config } from "../config/schema.ts";
import type { Principal, PrincipalKind } from "../core/principal.ts";
import { capabilitiesOf, isOwnerOnlyTool } from "../security/capabilities.ts";
import type { ToolGroup } from "./types.ts";

export type ToolProfile = "minimal" | "messaging" | "coding" | "full";

/** What each profile allows. */
export const PROFILES: Readonly<Record<ToolProfile, readonly string[]>> = {
  minimal: ["group:util"],
  messaging: [
    "group:util",
    "group:messaging",
    "group:memory",
    "sessions_list",
    "sessions_history",
    "sessions_send",
  ],
  coding: [
    "group:util",
    "group:fs",
    "group:runtime",
    "group:web",
    "group:sessions",
    "group:memory",
    "group:mcp",
  ],
  full: ["*"],
};

/** Where a call happens, as far as policy cares. */
export interface PolicyScope {
  agentId: string;
  sessionKey?: string;
  channel?: string;
  accountId?: string;
  groupId?: string;
  /** Who caused the run; unset means `system`. */
  principal?: Principal;
}

/** The resolved policy of one scope. */
export interface ToolPolicy {
  profile: ToolProfile;
  allow: readonly string[];
  deny: readonly string[];
  /** undefined when allowed, else the reason it is not. */
  check(name: string, group: ToolGroup): string | undefined;
  allowed(name: string, group: ToolGroup): boolean;
}

/** True when `entry` (name, `group:<g>`, `group:mcp:<server>` or `*`) matches the tool. */
export function matchesEntry(entry: string, name: string, group: ToolGroup): boolean {
  const e = entry.trim();
  if (e === "*" || e === name || e === `group:${group}`) return true;
  // MCP tools (mcp__<server>__<tool>) also belong to their server's group, group:mcp:<server>.
  return group === "mcp" && e.startsWith("group:mcp:") && name.startsWith(`mcp__${e.slice(10)}__`);
}

/** Resolves the policy for an agent in a channel/group, for the run's principal. */
export function resolveToolPolicy(config: Readonly<Config>, scope: PolicyScope): ToolPolicy {
  const configured = configuredPolicy(config, scope);
  const kind = scope.principal?.kind ?? "system";
  const caps = capabilitiesOf(kind);
  const ownerOnly = (name: string) =>
    isOwnerOnlyTool(name) && !caps.ownerOnlyTools ? `tool ${name} is for the owner only` : undefined;
  if (caps.tools.kind === "configured") {
    const check = (name: string, group: ToolGroup) => ownerOnly(name) ?? configured.check(name, group);
    return { ...configured, check, allowed: (n, g) => check(n, g) === undefined };
  }
  const widen = principalWidening(config, kind);
  const profile: ToolProfile = widen?.profile ?? caps.tools.profile;
  const base = [...PROFILES[profile], ...(widen?.profile ? [] : caps.tools.plus)];
  const allow = widen?.allow ?? [];
  const deny = [...configured.deny, ...(widen?.deny ?? [])];
  const check = (name: string, group: ToolGroup): string | undefined => {
    const refused = ownerOnly(name) ?? configured.check(name, group);
    if (refused) return refused;
    if (widen?.deny.some((e) => matchesEntry(e, name, group))) {
      return `tool ${name} is denied by tools.byPrincipal.${kind}.deny`;
    }
    if (base.some((e) => matchesEntry(e, name, group))) return undefined;
    if (allow.some((e) => matchesEntry(e, name, group))) return undefined;
    return `tool ${name} is not available to ${kind} runs (tools.byPrincipal.${kind} can allow it)`;
  };
  return { profile, allow, deny, check, allowed: (n, g) => check(n, g) === undefined };
}

/** `tools.byPrincipal.<kind>`: how the config widens a non-owner principal's default tools, if at all. */
export function principalWidening(config: Readonly<Config>, kind: PrincipalKind) {
  return kind === "user" || kind === "group" || kind === "hook" || kind === "api"
    ? config.tools.byPrincipal[kind]
    : undefined;
}

/** The policy the config gives an agent in a channel/group, before the principal is considered. */
function configuredPolicy(config: Readonly<Config>, scope: PolicyScope): ToolPolicy {
  const agent = config.agents.list.find((a) => a.id === scope.agentId);
  const profile: ToolProfile = agent?.tools?.profile ?? config.tools.profile;
  const allow = [...config.tools.allow, ...(agent?.tools?.allow ?? [])];
  const groupDeny = channelGroupDeny(config, scope);
  const deny = [...config.tools.deny, ...(agent?.tools?.deny ?? []), ...groupDeny];
  const base = PROFILES[profile];
  const check = (name: string, group: ToolGroup): string | undefined => {
    if (groupDeny.some((e) => matchesEntry(e, name, group))) {
      return `tool ${name} is denied in this group chat by the channel's group settings`;
    }
    if (deny.some((e) => matchesEntry(e, name, group))) return `tool ${name} is denied by tools.deny`;
    if (base.some((e) => matchesEntry(e, name, group))) return undefined;
    if (allow.some((e) => matchesEntry(e, name, group))) return undefined;
    return `tool ${name} is not in the ${profile} profile or tools.allow`;
  };
  return { profile, allow, deny, check, allowed: (n, g) => check(n, g) === undefined };
}

/** Channel, account and group of a scope; taken from the session key when not given. */
export function scopeLocation(
  scope: PolicyScope,
): { channel?: string; accountId?: string; groupId?: string } {
  if (scope.groupId || !scope.sessionKey) {
    return { channel: scope.channel, accountId: scope.accountId, groupId: scope.groupId };
  }
  // agent:<id>:<channel>:group:<groupId>[:thread:<t>]  or  agent:<id>:<channel>:channel:<id>
  const parts = scope.sessionKey.split(":");
  if (parts[0] === "agent" && (parts[3] === "group" || parts[3] === "channel") && parts[4]) {
    return { channel: scope.channel ?? parts[2], accountId: scope.accountId, groupId: parts[4] };
  }
  return { channel: scope.channel, accountId: scope.accountId };
}

function channelGroupDeny(config: Readonly<Config>, scope: PolicyScope): string[] {
  const { channel, accountId, groupId } = scopeLocation(scope);
  if (!channel || !groupId) return [];
  const section = (config.channels as Record<string, unknown>)[channel] as
    | { accounts?: Record<string, { groups?: Record<string, { tools?: { deny?: string[] } }> }> }
    | undefined;
  const accounts = section?.accounts ?? {};
  const out: string[] = [];
  for (const [id, account] of Object.entries(accounts)) {
    if (accountId && id !== accountId) continue;
    const groups = account.groups ?? {};
    const g = groups[groupId] ?? groups["*"];
    out.push(...(g?.tools?.deny ?? []));
  }
  return out;
}
