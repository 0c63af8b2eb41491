import { redactValue } from "../core/redact.ts";
import type { Db } from "./db.ts";
import { afterQueue, type WriteBehind, writeVia } from "./write_behind.ts";

export interface AuditEntry {
  kind: string;
  outcome: string;
  actor?: string;
  runId?: string;
  sessionKey?: string;
  /** Who caused the run this row belongs to (`owner`, `group:telegram:42`, …), when it belongs to one. */
  principal?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRow extends AuditEntry {
  id: number;
  ts: number;
}

/** Audit rows: auth failures, config changes, runs, tool calls, approvals. Details are redacted. */
export interface AuditRepo {
  record(entry: AuditEntry): Promise<void>;
  list(filter?: { kind?: string; runId?: string; limit?: number }): Promise<AuditRow[]>;
}

/** Audit rows; with `queue`, `record` writes through it (write_behind.ts) and `list` flushes it first. */
export function createAuditRepo(base: Db, now = Date.now, queue?: WriteBehind): AuditRepo {
  const db = afterQueue(base, queue);
  return {
    async record(entry) {
      await writeVia(queue, db, {
        sql: "INSERT INTO audit (ts, kind, actor, run_id, session_key, principal, outcome, detail) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        args: [
          now(),
          entry.kind,
          entry.actor ?? null,
          entry.runId ?? null,
          entry.sessionKey ?? null,
          entry.principal ?? null,
          entry.outcome,
          JSON.stringify(redactValue(entry.detail ?? {})),
        ],
      });
    },
    async list(filter = {}) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.kind) {
        where.push("kind = ?");
        args.push(filter.kind);
      }
      if (filter.runId) {
        where.push("run_id = ?");
        args.push(filter.runId);
      }
      args.push(filter.limit ?? 100);
      const rows = await db.query<Record<string, unknown>>(
        `SELECT * FROM audit ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY id DESC LIMIT ?`,
        args,
      );
      return rows.map((r) => ({
        id: Number(r.id),
        ts: Number(r.ts),
        kind: String(r.kind),
        outcome: String(r.outcome),
        actor: r.actor == null ? undefined : String(r.actor),
        runId: r.run_id == null ? undefined : String(r.run_id),
        sessionKey: r.session_key == null ? undefined : String(r.session_key),
        ...(r.principal == null ? {} : { principal: String(r.principal) }),
        detail: JSON.parse(String(r.detail)),
      }));
    },
  };
}
