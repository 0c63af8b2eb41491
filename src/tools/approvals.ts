/**
 * Exec approvals. `tools.exec.ask`: `off` runs only allow-listed programs/patterns and refuses the rest;
 * `on-miss` asks a person for anything not allow-listed; `always` asks for every call. A request is
 * published as `approval.requested` on the bus and waits (timeout → deny) for `resolve(id, decision, by)`.
 * An approval is bound to the whole effect (approval_binding.ts: real program path, argv, cwd, stdin,
 * env names, network, confinement): `consume` refuses anything else, and only once. `allow-always` is
 * refused for calls with stdin (the same command with other input is another effect), and a call that
 * asks for the network is never passed by a pattern or allow-always entry.
 */
import type { ToolsConfig } from "../config/sections/tools.ts";
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newId } from "../core/ids.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { ApprovalRecord, ApprovalRepo } from "./approval_repo.ts";
import { ToolError } from "./errors.ts";
import { expireRequest, type Waiters, waitForDecision } from "./approval_wait.ts";
import {
  type ApprovalContext,
  bindingHash,
  describeRequest,
  type ExecBinding,
  type StoredBinding,
} from "./approval_binding.ts";
import { matchesPattern, type MatchScope, programAllowed, programMatches } from "./approval_patterns.ts";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export interface ApprovalQuery extends ExecBinding, ApprovalContext {
  runId: string;
  sessionKey: string;
  tool: string;
  /** The agent's canonical workspace: programs inside it never match a bare name. */
  workspace?: string;
  signal?: AbortSignal;
}

/** Permission to run exactly one effect. */
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
  consume(grant: ApprovalGrant, binding: ExecBinding): Promise<void>;
  /**
   * Resolves a pending request. Returns the updated record, or undefined when there is no pending one.
   * Throws ToolError InvalidInput for allow-always on a call with stdin.
   */
  resolve(id: string, decision: ApprovalDecision, by: string): Promise<ApprovalRecord | undefined>;
  /** Pending requests (newest first). */
  pending(): Promise<ApprovalRecord[]>;
  /** Whether a resolved argv matches tools.exec.approvals, a stored pattern or an allow-always entry. */
  isAllowlisted(argv: readonly string[], workspace?: string): Promise<boolean>;
}

export interface ApprovalsDeps {
  config: Readonly<ToolsConfig>;
  repo: ApprovalRepo;
  bus: EventBus;
  audit?: AuditRepo;
  clock?: Clock;
  /** The gateway's PATH: where bare program names in allowPrograms and patterns are looked up. */
  programPath?: string;
  /** How often a pending request re-reads its record (resolved elsewhere). Default 500 ms. */
  pollMs?: number;
}

export { matchesPattern, programAllowed } from "./approval_patterns.ts";

/** Creates the approvals service. */
export function createApprovals(deps: ApprovalsDeps): Approvals {
  const clock = deps.clock ?? systemClock;
  const waiting: Waiters = new Map();
  const usedGrants = new WeakSet<ApprovalGrant>();
  const exec = deps.config.exec;
  const audit = (outcome: string, r: Partial<ApprovalRecord>, actor?: string) =>
    deps.audit?.record({
      kind: "approval",
      outcome,
      actor,
      runId: r.runId,
      sessionKey: r.sessionKey,
      detail: {
        id: r.id,
        tool: r.tool,
        argv: r.argv,
        cwd: r.cwd,
        ...(r.binding ? { binding: r.binding } : {}),
      },
    }).catch(() => {});

  const isAllowlisted = async (argv: readonly string[], workspace?: string) => {
    const scope: MatchScope = { path: deps.programPath, workspace };
    if (exec.approvals.some((p) => matchesPattern(p, argv, scope))) return true;
    if ((await deps.repo.patterns()).some((p) => matchesPattern(p.value, argv, scope))) return true;
    const stored = await deps.repo.allowlist();
    return stored.some((s) =>
      s.length === argv.length && programMatches(s[0]!, argv[0]!, scope) &&
      s.every((a, i) => i === 0 || a === argv[i])
    );
  };

  const ask = async (q: ApprovalQuery, hash: string): Promise<ApprovalGrant> => {
    const now = clock.now();
    const binding: StoredBinding = {
      ...(q.stdin ? { stdin: q.stdin } : {}),
      envNames: [...(q.envNames ?? [])],
      network: q.network ?? false,
      confined: q.confined ?? false,
      ...(q.requested ? { requested: [...q.requested] } : {}),
      changedByAgent: [...(q.changedByAgent ?? [])],
    };
    const record: ApprovalRecord = {
      id: newId("appr"),
      runId: q.runId,
      sessionKey: q.sessionKey,
      tool: q.tool,
      argv: [...q.argv],
      cwd: q.cwd,
      hash,
      binding,
      status: "pending",
      createdAt: now,
      expiresAt: now + exec.approvalTimeoutMs,
    };
    await deps.repo.insert(record);
    const outcome = waitForDecision({
      repo: deps.repo,
      clock,
      id: record.id,
      timeoutMs: exec.approvalTimeoutMs,
      pollMs: deps.pollMs,
      signal: q.signal,
      waiters: waiting,
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
        ...binding,
        summary: describeRequest({ ...q }).join("\n"),
        allowAlways: !q.stdin,
        expiresAt: record.expiresAt,
      },
    });
    const decision = await outcome;
    if (decision === "timeout" || decision === "aborted") {
      await expireRequest(deps.repo, deps.bus, record, decision);
      await audit(decision, record);
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
      const hash = await bindingHash(q);
      const mode = exec.ask;
      const scope: MatchScope = { path: deps.programPath, workspace: q.workspace };
      const program = q.argv[0]!;
      // The network is granted by a person or by tools.exec.networkPrograms, never by a pattern.
      const netOk = !q.network || programAllowed(exec.networkPrograms, program, scope);
      if (mode !== "always" && netOk && programAllowed(exec.allowPrograms, program, scope)) {
        return { hash, via: "allowPrograms" };
      }
      if (mode !== "always" && netOk && await isAllowlisted(q.argv, q.workspace)) {
        return { hash, via: "allowlist" };
      }
      if (mode === "off") {
        throw new ToolError(
          "Denied",
          q.network && !netOk
            ? `${
              q.requested?.[0] ?? program
            } may not use the network: it is not in tools.exec.networkPrograms`
            : `${q.requested?.[0] ?? program} is not in tools.exec.allowPrograms and \`${
              q.argv.join(" ")
            }\` matches no approval pattern`,
        );
      }
      return await ask(q, hash);
    },
    async consume(grant, binding) {
      if (usedGrants.has(grant)) throw new ToolError("Denied", "this approval was already used");
      const hash = await bindingHash(binding);
      if (hash !== grant.hash) {
        await audit("mismatch", { id: grant.approvalId, argv: [...binding.argv], cwd: binding.cwd });
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
      if (decision === "allow-always" && (record.binding?.stdin || record.binding?.network)) {
        throw new ToolError(
          "InvalidInput",
          `allow-always is refused for a call with ${
            record.binding.stdin ? "stdin" : "network access"
          }: approve ${id} with allow-once (or deny it)`,
        );
      }
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
      waiting.get(id)?.(decision === "deny" ? "deny" : "allow");
      return await deps.repo.get(id);
    },
    pending: () => deps.repo.list({ status: "pending" }),
  };
}
