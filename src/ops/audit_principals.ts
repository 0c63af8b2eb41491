/**
 * `talon security audit` checks of the trust model (README "Security model"): channel accounts whose
 * owners come from `allowFrom`, group members given tools beyond `minimal`, and hooks allowed to choose
 * their session.
 */
import type { Config } from "../config/schema.ts";
import { ownerIds } from "../security/principal_of.ts";
import type { Finding } from "./findings.ts";

/** Tools or profiles that run programs or touch files. */
const RISKY = new Set(["exec", "process", "write", "edit", "group:runtime", "group:fs", "browser", "*"]);

type Account = {
  owners?: string[];
  allowFrom: string[];
  groupPolicy: string;
  groups: Record<string, unknown>;
  guilds?: Record<string, unknown>;
};

function accounts(config: Readonly<Config>): [string, Account][] {
  const out: [string, Account][] = [];
  for (const channel of ["telegram", "discord", "whatsapp"] as const) {
    for (const [id, acc] of Object.entries(config.channels[channel]?.accounts ?? {})) {
      out.push([`channels.${channel}.accounts.${id}`, acc as Account]);
    }
  }
  return out;
}

/** Every finding of this module. */
export function principalFindings(config: Readonly<Config>): Finding[] {
  return [...ownerFindings(config), ...groupToolFindings(config), ...hookSessionFindings(config)];
}

function ownerFindings(config: Readonly<Config>): Finding[] {
  const out: Finding[] = [];
  for (const [where, acc] of accounts(config)) {
    if (acc.owners !== undefined) continue;
    const ids = ownerIds(acc);
    if (ids.length === 0) continue;
    out.push({
      id: `${where}.owners.unset`,
      severity: "medium",
      what: `${where}.owners is unset, so every id in allowFrom (${ids.join(", ")}) counts as the owner`,
      why: "Owners may approve tool calls, read every session and change the agent's prompt files",
      fix: `Set ${where}.owners to your own sender id(s); allowFrom then only lets people talk to the agent`,
    });
  }
  return out;
}

function groupsEnabled(acc: Account): boolean {
  if (acc.groupPolicy === "disabled") return false;
  if (acc.groupPolicy === "open") return true;
  return Object.keys(acc.groups).length > 0 || Object.keys(acc.guilds ?? {}).length > 0;
}

function groupToolFindings(config: Readonly<Config>): Finding[] {
  const widen = config.tools.byPrincipal.group;
  const profile = widen?.profile ?? "minimal";
  const allow = widen?.allow ?? [];
  if (profile === "minimal" && allow.length === 0) return [];
  const enabled = accounts(config).filter(([, acc]) => groupsEnabled(acc)).map(([where]) => where);
  if (enabled.length === 0) return [];
  const risky = profile === "coding" || profile === "full" || allow.some((a) => RISKY.has(a));
  return [{
    id: "tools.byPrincipal.group.widened",
    severity: risky ? "high" : "medium",
    what: `Group chats are enabled (${enabled.join(", ")}) and group members get tools beyond minimal ` +
      `(tools.byPrincipal.group: profile ${profile}${allow.length ? `, allow ${allow.join(", ")}` : ""})`,
    why: "Anyone in those groups (or anyone who can add the bot to one) can make the agent use these tools",
    fix: "Remove tools.byPrincipal.group, or narrow it to the few tools group members need",
  }];
}

function hookSessionFindings(config: Readonly<Config>): Finding[] {
  const prefixes = config.hooks.allowSessionPrefixes;
  if (!config.hooks.enabled || prefixes.length === 0) return [];
  const mains = config.agents.list.map((a) => `agent:${a.id}:main`);
  const reachesMain = prefixes.filter((p) => mains.some((m) => m.startsWith(p)));
  return [{
    id: "hooks.allowSessionPrefixes",
    severity: reachesMain.length ? "high" : "medium",
    what: `Hook callers may choose sessions under ${prefixes.map((p) => `"${p}"`).join(", ")}` +
      (reachesMain.length ? `, which includes an agent's main session` : ""),
    why: "A hook turn in a shared session sees that session's conversation and can steer it",
    fix:
      'Remove hooks.allowSessionPrefixes (hooks then run in hook:<name> sessions) or use a narrow prefix such as "hook:"',
  }];
}
