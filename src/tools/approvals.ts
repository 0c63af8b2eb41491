/**
 * Exec approvals. `tools.exec.ask`: `off` runs only allow-listed programs/patterns and refuses the rest;
 * `on-miss` asks a person for anything not allow-listed; `always` asks for every call. A request is
 * published as `approval.requested` on the bus and waits (timeout → deny) for `resolve(id, decision, by)`.
 * An approval is bound to a hash of the exact argv + cwd: `consume` refuses anything else, and only once.
 */
import type { ToolsConfig } from "../config/sections/tools.ts";
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newId, sha256Hex } from "../core/ids.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { ApprovalRecord, ApprovalRepo } from "./approval_repo.ts";
import { ToolError } from "./errors.ts";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export interface ApprovalQuery {
  runId: string;
  sessionKey: string;
  tool: string;
  argv: readonly string[];
  cwd: string;
  signal?: AbortSignal;
}

/** Permission to run exactly one argv in one cwd. */
export interface ApprovalGrant {
  readonly hash: string;
  /** How it was granted. */
  readonly via: "allowPrograms" | "allowlist" | "approval";
  readonly approvalId?: string;
}

export interface Approvals {
  /** Decides whether the call may run, asking a person when policy says so. Throws ToolError Denied. */
  authorize(q: ApprovalQuery): Promise<ApprovalGrant>;
  /** Checks a grant against what is about to run, once. Throws ToolError Denied on any difference. */
  consume(grant: ApprovalGrant, argv: readonly string[], cwd: string): Promise<void>;
  /** Resolves a pending request. Returns the updated record, or undefined when there is no pending one. */
  resolve(id: string, decision: ApprovalDecision, by: string): Promise<ApprovalRecord | undefined>;
  /** Pending requests (newest first). */
  pending(): Promise<ApprovalRecord[]>;
  /** Whether `argv` matches tools.exec.approvals or a stored allow-always entry. */
  isAllowlisted(argv: readonly string[]): Promise<boolean>;
}

export interface ApprovalsDeps {
  config: Readonly<ToolsConfig>;
  repo: ApprovalRepo;
  bus: EventBus;
  audit?: AuditRepo;
  clock?: Clock;
  /** How often a pending request re-reads its record (resolved elsewhere). Default 500 ms. */
  pollMs?: number;
}

/** Hash binding an approval to the exact argv and cwd. */
export function approvalHash(argv: readonly string[], cwd: string): Promise<string> {
  return sha256Hex(JSON.stringify({ argv, cwd }));
}

/**
 * Matches argv against a pattern "program arg…": `*` inside a token matches any characters, a token `**`
 * at the end matches any remaining arguments. Tokens are split on whitespace.
 */
export function matchesPattern(pattern: string, argv: readonly string[]): boolean {
  const tokens = pattern.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "**" && i === tokens.length - 1) return true;
    const a = argv[i];
    if (a === undefined || !globToken(t, i === 0 ? [a, basename(a)] : [a])) return false;
  }
  return tokens.length === argv.length;
}

function globToken(token: string, candidates: string[]): boolean {
  const re = new RegExp("^" + token.split("*").map(escapeRe).join(".*") + "$");
  return candidates.some((c) => re.test(c));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** True when the program is listed in tools.exec.allowPrograms (by name or exact path). */
export function programAllowed(config: Readonly<ToolsConfig>, program: string): boolean {
  return config.exec.allowPrograms.some((p) =>
    p === program || (!p.includes("/") && p === basename(program))
  );
}

/** Creates the approvals service. */
export function createApprovals(deps: ApprovalsDeps): Approvals {
  const clock = deps.clock ?? systemClock;
  const waiting = new Map<string, (decision: ApprovalDecision | "timeout" | "aborted") => void>();
  const usedGrants = new WeakSet<ApprovalGrant>();
  const audit = (outcome: string, r: Partial<ApprovalRecord>, actor?: string) =>
    deps.audit?.record({
      kind: "approval",
      outcome,
      actor,
      runId: r.runId,
      sessionKey: r.sessionKey,
      detail: { id: r.id, tool: r.tool, argv: r.argv, cwd: r.cwd },
    }).catch(() => {});

  const isAllowlisted = async (argv: readonly string[]) => {
    if (deps.config.exec.approvals.some((p) => matchesPattern(p, argv))) return true;
    const stored = await deps.repo.allowlist();
    return stored.some((s) => s.length === argv.length && s.every((a, i) => a === argv[i]));
  };

  const ask = async (q: ApprovalQuery, hash: string): Promise<ApprovalGrant> => {
    const now = clock.now();
    const record: ApprovalRecord = {
      id: newId("appr"),
      runId: q.runId,
      sessionKey: q.sessionKey,
      tool: q.tool,
      argv: [...q.argv],
      cwd: q.cwd,
      hash,
      status: "pending",
      createdAt: now,
      expiresAt: now + deps.config.exec.approvalTimeoutMs,
    };
    await deps.repo.insert(record);
    const outcome = new Promise<ApprovalDecision | "timeout" | "aborted">((resolve) => {
      const timer = clock.setTimeout(() => finish("timeout"), deps.config.exec.approvalTimeoutMs);
      // The approver may be another thread or process (the gateway's main thread, `talon approvals`):
      // the store is the source of truth, so it is polled as well as listened to.
      const poll = clock.setInterval(() => {
        deps.repo.get(record.id).then((r) => {
          if (r?.status === "allowed" || r?.status === "used") finish("allow-once");
          else if (r?.status === "denied") finish("deny");
        }).catch(() => {});
      }, deps.pollMs ?? 500);
      const onAbort = () => finish("aborted");
      const finish = (d: ApprovalDecision | "timeout" | "aborted") => {
        if (!waiting.has(record.id)) return;
        waiting.delete(record.id);
        clock.clearTimeout(timer);
        clock.clearInterval(poll);
        q.signal?.removeEventListener("abort", onAbort);
        resolve(d);
      };
      waiting.set(record.id, finish);
      q.signal?.addEventListener("abort", onAbort, { once: true });
    });
    await audit("requested", record);
    deps.bus.publish({
      event: "approval.requested",
      runId: q.runId,
      sessionKey: q.sessionKey,
      payload: {
        id: record.id,
        runId: q.runId,
        sessionKey: q.sessionKey,
        tool: q.tool,
        argv: [...q.argv],
        cwd: q.cwd,
        expiresAt: record.expiresAt,
      },
    });
    const decision = await outcome;
    if (decision === "timeout" || decision === "aborted") {
      await deps.repo.transition(record.id, "pending", "expired");
      await audit(decision, record);
      deps.bus.publish({
        event: "approval.resolved",
        runId: q.runId,
        sessionKey: q.sessionKey,
        payload: { id: record.id, decision: "deny", reason: decision },
      });
      throw new ToolError(
        "Denied",
        decision === "timeout"
          ? `approval ${record.id} for \`${q.argv.join(" ")}\` timed out; nothing was run`
          : `approval ${record.id} was abandoned because the run was aborted`,
      );
    }
    if (decision === "deny") {
      throw new ToolError("Denied", `\`${q.argv.join(" ")}\` was denied by an approver`);
    }
    return { hash, via: "approval", approvalId: record.id };
  };

  return {
    isAllowlisted,
    async authorize(q) {
      if (q.argv.length === 0) throw new ToolError("InvalidInput", "argv is empty");
      const hash = await approvalHash(q.argv, q.cwd);
      const mode = deps.config.exec.ask;
      const listed = programAllowed(deps.config, q.argv[0]!);
      if (mode !== "always" && listed) return { hash, via: "allowPrograms" };
      if (mode !== "always" && await isAllowlisted(q.argv)) return { hash, via: "allowlist" };
      if (mode === "off") {
        throw new ToolError(
          "Denied",
          `${q.argv[0]} is not in tools.exec.allowPrograms and \`${
            q.argv.join(" ")
          }\` matches no approval pattern`,
        );
      }
      return await ask(q, hash);
    },
    async consume(grant, argv, cwd) {
      if (usedGrants.has(grant)) throw new ToolError("Denied", "this approval was already used");
      const hash = await approvalHash(argv, cwd);
      if (hash !== grant.hash) {
        await audit("mismatch", { id: grant.approvalId, argv: [...argv], cwd });
        throw new ToolError("Denied", "the command differs from what was approved; nothing was run");
      }
      usedGrants.add(grant);
      if (grant.approvalId && !(await deps.repo.transition(grant.approvalId, "allowed", "used"))) {
        throw new ToolError("Denied", `approval ${grant.approvalId} is not in the allowed state`);
      }
    },
    async resolve(id, decision, by) {
      const record = await deps.repo.get(id);
      if (!record || record.status !== "pending") return undefined;
      const ok = await deps.repo.transition(id, "pending", decision === "deny" ? "denied" : "allowed", by);
      if (!ok) return undefined;
      if (decision === "allow-always") await deps.repo.addToAllowlist(record.argv, by);
      await audit(decision, record, by);
      deps.bus.publish({
        event: "approval.resolved",
        runId: record.runId,
        sessionKey: record.sessionKey,
        payload: { id, decision, by },
      });
      waiting.get(id)?.(decision);
      return await deps.repo.get(id);
    },
    pending: () => deps.repo.list({ status: "pending" }),
  };
}
