/**
 * `runs.list` (read): runs in progress (`running`, `queued`: from the durable inbox, newest first, with no
 * end yet) and then recent finished runs — status, channel, principal, session, model, duration, end to
 * end (first milestone, e.g. ingress or queued, to run.end: it includes queue wait), tokens and cost —
 * filtered by status, channel, session and time. A finished run's `agent.run` audit row is its record;
 * the timeline's first milestone gives its start. `usage.summary` (read): tokens, runs and cost per agent and
 * model over the last N UTC days (today, 7, 30).
 */
import { z } from "zod";
import type { Principal } from "../../core/principal.ts";
import { describePrincipal } from "../../security/capabilities.ts";
import type { Db } from "../../store/db.ts";
import { utcDay } from "../../store/sessions.ts";
import type { MethodRegistry } from "./registry.ts";

export interface RunRow {
  runId: string;
  status: string;
  channel: string | null;
  principal: string | null;
  sessionKey: string | null;
  agentId: string | null;
  model: string | null;
  /** When the first milestone was written (ingress/queued), else the end minus the run's own time. */
  startedAt: number;
  /** Null while the run is in progress. */
  endedAt: number | null;
  /** When the run itself began (run.start); in progress runs only, null while queued. */
  runStartedAt?: number | null;
  /** The run itself (run.start → run.end); null in progress. */
  ms: number | null;
  /** First milestone → run.end: includes queue wait; null in progress. */
  endToEndMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  error: string | null;
}

const FINISHED = ["ok", "error", "aborted", "timeout"] as const;
const ACTIVE = ["running", "queued"] as const;

const listParams = z.strictObject({
  status: z.enum([...FINISHED, ...ACTIVE]).optional(),
  channel: z.string().max(100).optional(),
  sessionKey: z.string().max(500).optional(),
  since: z.number().int().min(0).optional(),
  until: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(500).optional(),
}).prefault({});

const summaryParams = z.strictObject({ days: z.number().int().min(1).max(366).optional() }).prefault({});

const num = (v: unknown) => (v == null ? 0 : Number(v));
const str = (v: unknown) => (v == null ? null : String(v));

/** Registers `runs.list` and `usage.summary`. */
export function registerRunsMethods(registry: MethodRegistry, deps: { db: Db; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  registry.add({
    name: "runs.list",
    scope: "read",
    params: listParams,
    description: "Runs in progress (running, queued), then recent finished runs, newest first, filtered by " +
      "status, channel, session and time.",
    handler: async (p) => {
      const limit = p.limit ?? 100;
      const active = p.status && !isActive(p.status) ? [] : await activeRuns(deps.db, p, limit);
      if (p.status && isActive(p.status)) return { runs: active };
      return { runs: [...active, ...await finishedRuns(deps.db, p, limit - active.length)] };
    },
  });

  registry.add({
    name: "usage.summary",
    scope: "read",
    params: summaryParams,
    description: "Runs, tokens and cost per agent and model over the last N UTC days (1 = today).",
    handler: async (p) => {
      const days = p.days ?? 1;
      const from = utcDay(now() - (days - 1) * 86_400_000);
      const rows = await deps.db.query<Record<string, unknown>>(
        `SELECT agent_id, model, COUNT(DISTINCT run_id) AS runs, SUM(input_tokens) AS i,
           SUM(output_tokens) AS o, SUM(cost_usd) AS c
         FROM usage WHERE day >= ? GROUP BY agent_id, model ORDER BY c DESC, agent_id, model`,
        [from],
      );
      const agents = rows.map((r) => ({
        agentId: String(r.agent_id),
        model: str(r.model),
        runs: num(r.runs),
        inputTokens: num(r.i),
        outputTokens: num(r.o),
        costUsd: num(r.c),
      }));
      const total = agents.reduce((t, a) => ({
        runs: t.runs + a.runs,
        inputTokens: t.inputTokens + a.inputTokens,
        outputTokens: t.outputTokens + a.outputTokens,
        costUsd: t.costUsd + a.costUsd,
      }), { runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      return { days, from, agents, total };
    },
  });
}

type ListParams = z.infer<typeof listParams>;

/** The list filters as WHERE clauses over the given columns (SQL expressions). */
function filters(
  p: ListParams,
  col: { status: string; channel: string; session: string; ts: string },
): { where: string[]; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (p.status) (where.push(`${col.status} = ?`), args.push(p.status));
  if (p.channel) (where.push(`${col.channel} = ?`), args.push(p.channel));
  if (p.sessionKey) (where.push(`${col.session} = ?`), args.push(p.sessionKey));
  if (p.since !== undefined) (where.push(`${col.ts} >= ?`), args.push(p.since));
  if (p.until !== undefined) (where.push(`${col.ts} <= ?`), args.push(p.until));
  return { where, args };
}

const isActive = (status: string) => (ACTIVE as readonly string[]).includes(status);

/** Finished runs: their `agent.run` audit rows, with the first milestone as the start. */
async function finishedRuns(db: Db, p: ListParams, limit: number): Promise<RunRow[]> {
  if (limit <= 0) return [];
  const { where, args } = filters(p, {
    status: "outcome",
    channel: "actor",
    session: "session_key",
    ts: "ts",
  });
  where.unshift("kind = 'agent.run'");
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM audit WHERE ${where.join(" AND ")} ORDER BY ts DESC, id DESC LIMIT ?`,
    [...args, limit],
  );
  const ids = rows.map((r) => String(r.run_id)).filter((id) => id !== "null");
  const firsts = new Map<string, number>();
  if (ids.length) {
    const marks = ids.map(() => "?").join(", ");
    const spans = await db.query<{ run_id: string; first: number }>(
      `SELECT run_id, MIN(ts) AS first FROM events WHERE run_id IN (${marks}) GROUP BY run_id`,
      ids,
    );
    for (const s of spans) firsts.set(String(s.run_id), Number(s.first));
  }
  const runs: RunRow[] = rows.map((r) => {
    const d = JSON.parse(String(r.detail ?? "{}")) as Record<string, unknown>;
    const endedAt = Number(r.ts);
    const ms = typeof d.ms === "number" ? d.ms : null;
    const startedAt = Math.min(firsts.get(String(r.run_id)) ?? endedAt - (ms ?? 0), endedAt);
    return {
      runId: String(r.run_id),
      status: String(r.outcome),
      channel: str(r.actor),
      principal: str(r.principal ?? d.principal),
      sessionKey: str(r.session_key),
      agentId: str(d.agentId),
      model: str(d.model),
      startedAt,
      endedAt,
      ms,
      endToEndMs: endedAt - startedAt,
      inputTokens: num(d.inputTokens),
      outputTokens: num(d.outputTokens),
      costUsd: num(d.costUsd),
      error: str(d.error),
    };
  });
  return runs;
}

/**
 * Runs in progress: inbox rows still queued or running (one run may hold several messages), with the
 * channel and principal the message came with and when the run itself began (run.start), if it did.
 */
async function activeRuns(db: Db, p: ListParams, limit: number): Promise<RunRow[]> {
  const { where, args } = filters(p, {
    status: "i.state",
    channel: "json_extract(i.payload, '$.channel')",
    session: "i.session_key",
    ts: "i.created_at",
  });
  // A run whose audit row is written is finished, even if its inbox row is a moment behind.
  where.unshift(
    "i.state IN ('queued', 'running')",
    "NOT EXISTS (SELECT 1 FROM audit a WHERE a.run_id = i.run_id AND a.kind = 'agent.run')",
  );
  const rows = await db.query<Record<string, unknown>>(
    `SELECT i.run_id, i.session_key, i.agent_id, MAX(i.state = 'running') AS running,
       MIN(i.created_at) AS created, json_extract(MIN(i.payload), '$.channel') AS channel,
       json_extract(MIN(i.payload), '$.payload.principal') AS principal,
       (SELECT MIN(ts) FROM events e WHERE e.run_id = i.run_id) AS first,
       (SELECT MAX(ts) FROM events e WHERE e.run_id = i.run_id AND e.kind = 'run.start') AS run_start
     FROM lane_inbox i WHERE ${where.join(" AND ")}
     GROUP BY i.run_id ORDER BY created DESC LIMIT ?`,
    [...args, limit],
  );
  return rows.map((r) => {
    const principal = r.principal == null ? undefined : JSON.parse(String(r.principal)) as Principal;
    return {
      runId: String(r.run_id),
      status: Number(r.running) ? "running" : "queued",
      channel: str(r.channel),
      principal: principal?.kind ? describePrincipal(principal) : null,
      sessionKey: str(r.session_key),
      agentId: str(r.agent_id),
      model: null,
      startedAt: Math.min(num(r.first ?? r.created), num(r.created)),
      endedAt: null,
      runStartedAt: r.run_start == null ? null : Number(r.run_start),
      ms: null,
      endToEndMs: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      error: null,
    };
  });
}
