/**
 * Access policy (DESIGN.md step 2): may this message reach an agent? DM policy (pairing | allowlist |
 * open | disabled), group policy (allowlist | open | disabled) with per-group mention gating, and chat
 * commands only from authorised senders. Pure except for the approved-sender lookup.
 */
import type { InboundMessage } from "../core/types.ts";

export type DmPolicy = "pairing" | "allowlist" | "open" | "disabled";
export type GroupPolicy = "allowlist" | "open" | "disabled";

/** A group's rule as the adapter resolved it (Telegram: `groups`; Discord: `guilds` + roles/channels). */
export interface GroupRule {
  /** False when the group is not allowed at all. */
  allowed: boolean;
  requireMention: boolean;
  /** When set, only these senders may talk in the group. */
  allowFrom?: readonly string[];
}

/** The access settings of one channel account. */
export interface AccessPolicy {
  dmPolicy: DmPolicy;
  /** Sender ids (or `@username`, or `*`) allowed to DM and to use commands. */
  allowFrom: readonly string[];
  groupPolicy: GroupPolicy;
  /** Resolves the rule of the group a message came from; undefined when the group has no entry. */
  groupRule(inbound: InboundMessage): GroupRule | undefined;
}

/** Why a message was let through or stopped. */
export type AccessDecision =
  | { allow: true; authorised: boolean }
  | { allow: false; reason: DenyReason }
  | { allow: false; reason: "pairing-required" };

export type DenyReason =
  | "dm-disabled"
  | "not-allowlisted"
  | "group-disabled"
  | "group-not-allowed"
  | "sender-not-allowed"
  | "mention-required"
  | "command-unauthorised";

/** Decides access. `isApproved` looks up senders approved through pairing. */
export async function evaluateAccess(
  inbound: InboundMessage,
  policy: AccessPolicy,
  isApproved: () => Promise<boolean>,
): Promise<AccessDecision> {
  const listed = senderListed(inbound.sender, policy.allowFrom);
  const command = isCommand(inbound.text);
  if (inbound.peer.kind === "direct") {
    switch (policy.dmPolicy) {
      case "disabled":
        return { allow: false, reason: "dm-disabled" };
      case "allowlist":
        return listed ? { allow: true, authorised: true } : { allow: false, reason: "not-allowlisted" };
      case "pairing":
        if (listed || await isApproved()) return { allow: true, authorised: true };
        return { allow: false, reason: "pairing-required" };
      case "open": {
        const authorised = listed || await isApproved();
        if (command && !authorised) return { allow: false, reason: "command-unauthorised" };
        return { allow: true, authorised };
      }
    }
  }
  if (policy.groupPolicy === "disabled") return { allow: false, reason: "group-disabled" };
  const rule = policy.groupRule(inbound);
  if (policy.groupPolicy === "allowlist" && (!rule || !rule.allowed)) {
    return { allow: false, reason: "group-not-allowed" };
  }
  if (rule && !rule.allowed) return { allow: false, reason: "group-not-allowed" };
  if (rule?.allowFrom && !senderListed(inbound.sender, rule.allowFrom)) {
    return { allow: false, reason: "sender-not-allowed" };
  }
  const authorised = listed || (rule?.allowFrom !== undefined) || await isApproved();
  if (command) {
    if (!authorised) return { allow: false, reason: "command-unauthorised" };
    return { allow: true, authorised };
  }
  if ((rule?.requireMention ?? true) && !inbound.mentioned) {
    return { allow: false, reason: "mention-required" };
  }
  return { allow: true, authorised };
}

/** True when the text is a chat command (`/new`, `/model gpt`, `/new@talon_bot`). */
export function isCommand(text: string): boolean {
  return /^\/[A-Za-z][\w-]*(@\w+)?(\s|$)/.test(text.trimStart());
}

/** True when `sender` is in `list` by id, by `@username` / username, or the list holds `*`. */
export function senderListed(sender: InboundMessage["sender"], list: readonly string[]): boolean {
  const username = sender.username?.toLowerCase();
  for (const entry of list) {
    if (entry === "*" || entry === sender.id) return true;
    if (username && entry.replace(/^@/, "").toLowerCase() === username) return true;
  }
  return false;
}

/** The group rule of a `groups` config map (exact id, else `*`). */
export function groupRuleFromGroups(
  groups: Readonly<Record<string, { requireMention: boolean; allowFrom?: string[] }>>,
): (inbound: InboundMessage) => GroupRule | undefined {
  return (inbound) => {
    const entry = groups[inbound.peer.id] ?? groups["*"];
    return entry
      ? { allowed: true, requireMention: entry.requireMention, allowFrom: entry.allowFrom }
      : undefined;
  };
}
