/**
 * `runs.list` (read): recent finished runs — status, channel, principal, session, model, duration, end to
 * end (first milestone, e.g. ingress or queued, to run.end: it includes queue wait), tokens and cost —
 * filtered by status, channel, session and time. A run's `agent.run` audit row is its record; the
 * timeline's first milestone gives its start. `usage.summary` (read): tokens, runs and cost per agent and
 * model over the last N UTC days (today, 7, 30).
 */
import { z } from "zod";
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
  endedAt: number;
  /** The run itself (run.start → run.end). */
  ms: number | null;
  /** First milestone → run.end: includes queue wait. */
  endToEndMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  error: string | null;
}

const listParams = z.strictObject({
  status: z.enum(["ok", "error", "aborted", "timeout"]).optional(),
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
    description: "Recent finished runs, newest first, filtered by status, channel, session and time.",
    handler: async (p) => {
      const where = ["kind = 'agent.run'"];
      const args: (string | number)[] = [];
      if (p.status) (where.push("outcome = ?"), args.push(p.status));
      if (p.channel) (where.push("actor = ?"), args.push(p.channel));
      if (p.sessionKey) (where.push("session_key = ?"), args.push(p.sessionKey));
      if (p.since !== undefined) (where.push("ts >= ?"), args.push(p.since));
      if (p.until !== undefined) (where.push("ts <= ?"), args.push(p.until));
      const limit = p.limit ?? 100;
      const rows = await deps.db.query<Record<string, unknown>>(
        `SELECT * FROM audit WHERE ${where.join(" AND ")} ORDER BY ts DESC, id DESC LIMIT ?`,
        [...args, limit],
      );
      const ids = rows.map((r) => String(r.run_id)).filter((id) => id !== "null");
      const firsts = new Map<string, number>();
      if (ids.length) {
        const marks = ids.map(() => "?").join(", ");
        const spans = await deps.db.query<{ run_id: string; first: number }>(
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
      return { runs };
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
