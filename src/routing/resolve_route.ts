/**
 * Routing: a pure function from an inbound message and the config to the agent that answers it and the
 * session the message belongs to (DESIGN.md step 3). Key formats follow OpenClaw's scheme.
 */
import type { InboundMessage } from "../core/types.ts";
import type { Binding } from "../config/sections/bindings.ts";

/** The slice of the config routing reads. A full `Config` satisfies it. */
export interface RouteConfig {
  agents: { defaultAgent: string; list: ReadonlyArray<{ id: string }> };
  session: {
    dmScope: "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";
    identityLinks: Readonly<Record<string, readonly string[]>>;
  };
  bindings?: ReadonlyArray<Binding>;
}

/** Which rule picked the agent: a binding tier or the default agent. */
export type RouteTier =
  | "peer"
  | "guild+roles"
  | "guild"
  | "account"
  | "channel"
  | "binding-default"
  | "default";

export interface Route {
  agentId: string;
  sessionKey: string;
  matchedBy: RouteTier;
}

/** The fields of an inbound message routing depends on. */
export type RouteInput =
  & Pick<InboundMessage, "channel" | "accountId" | "peer" | "threadId" | "sender">
  & Partial<Pick<InboundMessage, "guildId" | "roles">>;

/** Resolves `{agentId, sessionKey}` for an inbound message. Pure: same input, same output. */
export function resolveRoute(inbound: RouteInput, config: RouteConfig): Route {
  const { agentId, tier } = pickAgent(inbound, config);
  return { agentId, sessionKey: sessionKeyFor(inbound, agentId, config), matchedBy: tier };
}

/** The main session key of an agent: `agent:<id>:main`. */
export function mainSessionKey(agentId: string): string {
  return `agent:${normaliseAgentId(agentId)}:main`;
}

/** Builds the session key of a message already assigned to `agentId`. */
export function sessionKeyFor(
  inbound: RouteInput,
  agentId: string,
  config: Pick<RouteConfig, "session">,
): string {
  const agent = normaliseAgentId(agentId);
  const channel = inbound.channel.toLowerCase();
  if (inbound.peer.kind === "direct") {
    const scope = config.session.dmScope;
    if (scope === "main") return mainSessionKey(agent);
    const peer = canonicalPeer(channel, inbound.peer.id, config.session.identityLinks);
    if (scope === "per-peer") return `agent:${agent}:direct:${peer}`;
    if (scope === "per-channel-peer") return `agent:${agent}:${channel}:direct:${peer}`;
    return `agent:${agent}:${channel}:${inbound.accountId.toLowerCase()}:direct:${peer}`;
  }
  const base = `agent:${agent}:${channel}:${inbound.peer.kind}:${inbound.peer.id}`;
  return inbound.threadId ? `${base}:thread:${inbound.threadId}` : base;
}

/**
 * Maps a sender id to the name of the identity link that lists it (`telegram:123` or a bare id), so
 * one person's accounts on several channels share a session.
 */
export function canonicalPeer(
  channel: string,
  peerId: string,
  identityLinks: Readonly<Record<string, readonly string[]>>,
): string {
  const qualified = `${channel}:${peerId}`.toLowerCase();
  for (const [name, ids] of Object.entries(identityLinks)) {
    for (const id of ids) {
      if (id.toLowerCase() === qualified) return name.toLowerCase();
    }
  }
  return peerId;
}

const TIER_ORDER: RouteTier[] = ["peer", "guild+roles", "guild", "account", "channel", "binding-default"];

function pickAgent(inbound: RouteInput, config: RouteConfig): { agentId: string; tier: RouteTier } {
  const known = new Set(config.agents.list.map((a) => normaliseAgentId(a.id)));
  const fallback = normaliseAgentId(config.agents.defaultAgent);
  const best = new Map<RouteTier, string>();
  for (const binding of config.bindings ?? []) {
    const tier = tierOf(binding);
    if (best.has(tier) || !matches(binding, inbound)) continue;
    const id = normaliseAgentId(binding.agentId);
    if (known.has(id)) best.set(tier, id);
  }
  for (const tier of TIER_ORDER) {
    const id = best.get(tier);
    if (id) return { agentId: id, tier };
  }
  return { agentId: fallback, tier: "default" };
}

/** The tier of a binding: its most specific constraint. */
function tierOf(binding: Binding): RouteTier {
  const m = binding.match;
  if (m.peer) return "peer";
  if (m.guildId && m.roles && m.roles.length > 0) return "guild+roles";
  if (m.guildId) return "guild";
  if (m.accountId && m.accountId !== "*") return "account";
  if (m.channel) return "channel";
  return "binding-default";
}

function matches(binding: Binding, inbound: RouteInput): boolean {
  const m = binding.match;
  if (m.channel && m.channel.toLowerCase() !== inbound.channel.toLowerCase()) return false;
  if (m.accountId && m.accountId !== "*" && m.accountId !== inbound.accountId) return false;
  if (m.peer && (m.peer.kind !== inbound.peer.kind || m.peer.id !== inbound.peer.id)) return false;
  if (m.guildId && m.guildId !== inbound.guildId) return false;
  if (m.roles && m.roles.length > 0) {
    const have = new Set(inbound.roles ?? []);
    if (!m.roles.some((r) => have.has(r))) return false;
  }
  return true;
}

function normaliseAgentId(id: string): string {
  return id.trim().toLowerCase();
}
