/**
 * Gateway methods the Control UI needs beyond the agent, tool and channel methods:
 * `usage.today` (tokens and cost per agent and model for one UTC day), `approvals.history` (resolved
 * exec approvals with the decision that resolved them) and `sessions.delete` (a session and its
 * transcript). Each is registered only when the registry does not have it yet.
 */
import { z } from "zod";
import { TalonError } from "../../core/errors.ts";
import type { AuditRepo, Db } from "../../store/mod.ts";
import { createSessionArchiveRepo } from "../../store/session_archive.ts";
import { createSessionRepo, utcDay } from "../../store/sessions.ts";
import { type ApprovalRecord, type ApprovalStatus, createApprovalRepo } from "../../tools/approval_repo.ts";
import type { MethodDef, MethodRegistry } from "./registry.ts";

export interface UiExtraMethodDeps {
  db: Db;
  audit: AuditRepo;
  /** The run in progress for a session, if any (the lanes scheduler's `activeRun`). */
  activeRun?: (sessionKey: string) => string | undefined;
  now?: () => number;
}

/** One row of `usage.today`. */
export interface UsageTodayRow {
  agentId: string;
  model: string | null;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A resolved approval with how it was decided (`allow-once`, `allow-always`, `deny`, `timeout`, `aborted`). */
export type ResolvedApproval = Omit<ApprovalRecord, "hash"> & { decision?: string };

const DECISIONS = new Set(["allow-once", "allow-always", "deny", "timeout", "aborted"]);
const RESOLVED: ApprovalStatus[] = ["allowed", "used", "denied", "expired"];

const usageParams = z.strictObject({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a UTC day YYYY-MM-DD").optional(),
}).prefault({});
const historyParams = z.strictObject({ limit: z.number().int().min(1).max(500).optional() }).prefault({});
const deleteParams = z.strictObject({ sessionKey: z.string().min(1).max(500) });

/** Registers `usage.today`, `approvals.history` and `sessions.delete` (those not registered yet). */
export function registerUiExtraMethods(registry: MethodRegistry, deps: UiExtraMethodDeps): void {
  const now = deps.now ?? Date.now;
  const approvals = createApprovalRepo(deps.db, now);
  const sessions = createSessionRepo(deps.db, now);
  const add = <P>(def: MethodDef<P>) => {
    if (!registry.get(def.name)) registry.add(def);
  };

  add({
    name: "usage.today",
    scope: "read",
    params: usageParams,
    description: "Tokens, runs and cost per agent and model for one UTC day (default today).",
    handler: async (p) => {
      const day = p.day ?? utcDay(now());
      const rows = await deps.db.query<Record<string, unknown>>(
        `SELECT agent_id, model, COUNT(DISTINCT run_id) AS runs, SUM(input_tokens) AS i,
           SUM(output_tokens) AS o, SUM(cost_usd) AS c
         FROM usage WHERE day = ? GROUP BY agent_id, model ORDER BY agent_id, model`,
        [day],
      );
      const agents: UsageTodayRow[] = rows.map((r) => ({
        agentId: String(r.agent_id),
        model: r.model == null ? null : String(r.model),
        runs: Number(r.runs ?? 0),
        inputTokens: Number(r.i ?? 0),
        outputTokens: Number(r.o ?? 0),
        costUsd: Number(r.c ?? 0),
      }));
      const total = agents.reduce(
        (t, a) => ({
          runs: t.runs + a.runs,
          inputTokens: t.inputTokens + a.inputTokens,
          outputTokens: t.outputTokens + a.outputTokens,
          costUsd: t.costUsd + a.costUsd,
        }),
        { runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      );
      return { day, agents, total };
    },
  });

  add({
    name: "approvals.history",
    scope: "read",
    params: historyParams,
    description: "Resolved exec approvals, newest first, with the decision and who made it.",
    handler: async (p) => {
      const limit = p.limit ?? 100;
      const lists = await Promise.all(RESOLVED.map((status) => approvals.list({ status, limit })));
      const records = lists.flat()
        .sort((a, b) => (b.resolvedAt ?? b.createdAt) - (a.resolvedAt ?? a.createdAt))
        .slice(0, limit);
      // The approval record keeps allowed/denied/expired; the audit row says which decision it was.
      const decided = new Map<string, string>();
      for (const row of await deps.audit.list({ kind: "approval", limit: 2000 })) {
        const id = row.detail?.id;
        if (typeof id === "string" && DECISIONS.has(row.outcome) && !decided.has(id)) {
          decided.set(id, row.outcome);
        }
      }
      const out: ResolvedApproval[] = records.map(({ hash: _hash, ...r }) => ({
        ...r,
        ...(decided.has(r.id) ? { decision: decided.get(r.id) } : {}),
      }));
      return { approvals: out };
    },
  });

  add({
    name: "sessions.delete",
    scope: "write",
    params: deleteParams,
    description:
      "Deletes a session, its transcript and its earlier transcripts (refused while a run is in progress).",
    handler: async ({ sessionKey }) => {
      const session = await sessions.get(sessionKey);
      if (!session) throw new TalonError("NOT_FOUND", `No session ${sessionKey}`);
      const running = deps.activeRun?.(sessionKey);
      if (running) {
        throw new TalonError(
          "CONFLICT",
          `Session ${sessionKey} has a run in progress (${running}); stop it first`,
        );
      }
      const counted = await deps.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM transcript_entries WHERE session_id = ?",
        [session.sessionId],
      );
      await deps.db.batch([
        { sql: "DELETE FROM transcript_entries WHERE session_id = ?", args: [session.sessionId] },
        { sql: "DELETE FROM sessions WHERE session_key = ?", args: [sessionKey] },
      ]);
      // Its earlier transcripts (from /new and /reset) go too.
      const earlier = await createSessionArchiveRepo(deps.db).deleteAll(sessionKey);
      await deps.audit.record({ kind: "session.delete", outcome: "ok", sessionKey });
      return { deleted: true, sessionKey, entries: Number(counted[0]?.n ?? 0) + earlier };
    },
  });
}
