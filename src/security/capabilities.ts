/**
 * The one capability table: what a run may do follows from its principal (src/core/principal.ts), and
 * from nothing else — not the channel name, not the session key, not a client's claim. README "Security
 * model" prints this table; change both together.
 *
 * | principal | approve | session reach        | prompt files | default tools               | owner-only tools |
 * |-----------|---------|----------------------|--------------|-----------------------------|------------------|
 * | owner     | yes     | any of its agent     | write        | configured profile (coding) | yes              |
 * | system    | no      | any of its agent     | write        | configured profile          | yes              |
 * | cron      | no      | own + spawned        | write        | configured profile          | no               |
 * | user      | no      | own + spawned        | no (scratch) | messaging + read-only       | no               |
 * | group     | no      | own + spawned        | no (scratch) | minimal                     | no               |
 * | hook      | no      | own + spawned        | no (scratch) | minimal                     | no               |
 * | api       | no      | own + spawned        | no (scratch) | minimal                     | no               |
 *
 * `tools.byPrincipal.<principal>` may widen the default tools of user, group, hook and api, never beyond
 * what the agent's configured policy allows and never to an owner-only tool.
 */
import type { Principal, PrincipalKind } from "../core/principal.ts";

/** Which sessions a run may reach with the cross-session tools. */
export type SessionReach = "agent" | "own";

/** Where a run's file tools and programs work. */
export type WorkspaceView = "agent" | "scratch";

/** A tool profile name (the profiles themselves live in src/tools/policy.ts). */
export type ProfileName = "minimal" | "messaging" | "coding" | "full";

/** The default tool set of a principal: the configured policy, or a fixed profile plus extra tools. */
export type DefaultTools =
  | { kind: "configured" }
  | { kind: "profile"; profile: ProfileName; plus: readonly string[] };

export interface Capabilities {
  /** May answer tool-call approvals (`/approve`, `approval.resolve`, the CLI). */
  approve: boolean;
  /** `agent`: any session of the run's agent; `own`: its own session and the sub-agent sessions it spawned. */
  sessionReach: SessionReach;
  /** May change the files that enter every session's prompt (AGENTS.md, SOUL.md, …). */
  writePromptFiles: boolean;
  /** `agent`: the agent's workspace; `scratch`: a directory of the run's own session (no prompt files). */
  workspace: WorkspaceView;
  /** The tools a run gets unless `tools.byPrincipal` widens them. */
  tools: DefaultTools;
  /** May use the owner-only tools (OWNER_ONLY_TOOLS) whatever the config says. */
  ownerOnlyTools: boolean;
}

/** Read-only tools a `user` gets beside the messaging profile. */
export const READ_ONLY_TOOLS: readonly string[] = ["read", "list"];

/** Tools only principals with `ownerOnlyTools` may call, whatever `tools.allow`/`byPrincipal` say. */
export const OWNER_ONLY_TOOLS: readonly string[] = ["cron", "memory_search", "memory_get"];

/**
 * Files that enter every session's prompt. Writable only where `writePromptFiles` holds; non-owner runs
 * work in a scratch directory and never see the agent workspace at all.
 */
export const PROMPT_FILES: readonly string[] = [
  "AGENTS.md",
  "SOUL.md",
  "USER.md",
  "MEMORY.md",
  "HEARTBEAT.md",
];

const CONFIGURED: DefaultTools = { kind: "configured" };
const MINIMAL: DefaultTools = { kind: "profile", profile: "minimal", plus: [] };

/** The table. Frozen: nothing changes it at run time. */
export const CAPABILITIES: Readonly<Record<PrincipalKind, Readonly<Capabilities>>> = Object.freeze({
  owner: {
    approve: true,
    sessionReach: "agent",
    writePromptFiles: true,
    workspace: "agent",
    tools: CONFIGURED,
    ownerOnlyTools: true,
  },
  system: {
    approve: false,
    sessionReach: "agent",
    writePromptFiles: true,
    workspace: "agent",
    tools: CONFIGURED,
    ownerOnlyTools: true,
  },
  cron: {
    approve: false,
    sessionReach: "own",
    writePromptFiles: true,
    workspace: "agent",
    tools: CONFIGURED,
    ownerOnlyTools: false,
  },
  user: {
    approve: false,
    sessionReach: "own",
    writePromptFiles: false,
    workspace: "scratch",
    tools: { kind: "profile", profile: "messaging", plus: READ_ONLY_TOOLS },
    ownerOnlyTools: false,
  },
  group: {
    approve: false,
    sessionReach: "own",
    writePromptFiles: false,
    workspace: "scratch",
    tools: MINIMAL,
    ownerOnlyTools: false,
  },
  hook: {
    approve: false,
    sessionReach: "own",
    writePromptFiles: false,
    workspace: "scratch",
    tools: MINIMAL,
    ownerOnlyTools: false,
  },
  api: {
    approve: false,
    sessionReach: "own",
    writePromptFiles: false,
    workspace: "scratch",
    tools: MINIMAL,
    ownerOnlyTools: false,
  },
});

/** The capabilities of a principal. */
export function capabilitiesOf(principal: Principal | PrincipalKind): Readonly<Capabilities> {
  const kind = typeof principal === "string" ? principal : principal.kind;
  const caps = CAPABILITIES[kind];
  if (!caps) throw new RangeError(`Unknown principal kind "${String(kind)}"`);
  return caps;
}

/** True when the principal may answer tool-call approvals. */
export function mayApprove(principal: Principal | undefined): boolean {
  return principal !== undefined && capabilitiesOf(principal).approve;
}

/** The reply to a principal that may not approve. */
export const APPROVE_REFUSED = "Only the owner can approve tool calls.";

/** True when `name` is an owner-only tool. */
export function isOwnerOnlyTool(name: string): boolean {
  return OWNER_ONLY_TOOLS.includes(name);
}

/** True when `path` (relative to the workspace, or a bare name) names a prompt file. */
export function isPromptFile(path: string): boolean {
  const base = path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  return PROMPT_FILES.includes(base);
}

/** Who may reach which session: everything of the agent, or the own session and spawned sub-agents. */
export function mayReachSession(
  principal: Principal,
  target: { sessionKey: string; spawnedBy?: string },
  own: string,
): boolean {
  if (capabilitiesOf(principal).sessionReach === "agent") return true;
  return target.sessionKey === own || target.spawnedBy === own;
}

/**
 * Who may read a transcript other than through a run (the gateway's `sessions.transcript*`): a principal
 * that reaches every session of the agent reads any; the others only one that their own runs wrote
 * entirely (`writers` are the `describePrincipal` strings of the runs that wrote it).
 */
export function mayReadTranscript(principal: Principal, writers: readonly string[]): boolean {
  if (capabilitiesOf(principal).sessionReach === "agent") return true;
  const self = describePrincipal(principal);
  return writers.length > 0 && writers.every((w) => w === self);
}

const RANK: Readonly<Record<PrincipalKind, number>> = {
  group: 0,
  hook: 1,
  api: 2,
  user: 3,
  cron: 4,
  system: 5,
  owner: 6,
};

/**
 * The principal of a turn that merges several messages (collect, debounce): the least trusted of them,
 * so merging a group member's message with the owner's never lends the owner's rights. Undefined when
 * any message has none.
 */
export function weakestPrincipal(principals: readonly (Principal | undefined)[]): Principal | undefined {
  let weakest: Principal | undefined;
  for (const p of principals) {
    // A message without a principal (stored before principals existed) is the least trusted of all.
    if (!p) return undefined;
    if (!weakest || RANK[p.kind] < RANK[weakest.kind]) weakest = p;
  }
  return weakest;
}

/** A principal as one string for logs and audit rows: `owner`, `group:telegram:42`. */
export function describePrincipal(principal: Principal | undefined): string {
  if (!principal) return "unknown";
  return principal.id ? `${principal.kind}:${principal.id}` : principal.kind;
}
