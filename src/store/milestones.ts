import type { MilestoneKind } from "../core/types.ts";
import type { Db } from "./db.ts";

export interface Milestone {
  id: number;
  ts: number;
  runId: string;
  sessionKey?: string;
  kind: MilestoneKind | string;
  data: Record<string, unknown>;
}

/** The milestones of every message (ingress → … → egress), kept so a runId can be followed later. */
export interface MilestoneRepo {
  add(m: Omit<Milestone, "id" | "ts"> & { ts?: number }): Promise<void>;
  forRun(runId: string): Promise<Milestone[]>;
}

export function createMilestoneRepo(db: Db, now = Date.now): MilestoneRepo {
  return {
    async add(m) {
      await db.run(
        "INSERT INTO events (ts, run_id, session_key, kind, data) VALUES (?, ?, ?, ?, ?)",
        [m.ts ?? now(), m.runId, m.sessionKey ?? null, m.kind, JSON.stringify(m.data)],
      );
    },
    async forRun(runId) {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM events WHERE run_id = ? ORDER BY ts, id",
        [runId],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        ts: Number(r.ts),
        runId: String(r.run_id),
        sessionKey: r.session_key == null ? undefined : String(r.session_key),
        kind: String(r.kind),
        data: JSON.parse(String(r.data)),
      }));
    },
  };
}
