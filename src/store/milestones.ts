import type { MilestoneKind } from "../core/types.ts";
import type { Db } from "./db.ts";
import { systemClock } from "../core/clock.ts";
import { createWriteBehind, type WriteBehind, type WriteBehindOptions } from "./write_behind.ts";

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

const INSERT_EVENT = "INSERT INTO events (ts, run_id, session_key, kind, data) VALUES (?, ?, ?, ?, ?)";

/** The INSERT for one milestone, stamped with `now()` unless it carries its own time. */
function insertEvent(m: Omit<Milestone, "id" | "ts"> & { ts?: number }, now: () => number) {
  return {
    sql: INSERT_EVENT,
    args: [m.ts ?? now(), m.runId, m.sessionKey ?? null, m.kind, JSON.stringify(m.data)],
  };
}

export function createMilestoneRepo(db: Db, now = Date.now): MilestoneRepo {
  return {
    async add(m) {
      const { sql, args } = insertEvent(m, now);
      await db.run(sql, args);
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

/** A milestone repository that batches its writes; see createBufferedMilestoneRepo. */
export interface BufferedMilestoneRepo extends MilestoneRepo {
  /** Writes everything buffered so far; resolves when it is committed. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. Later `add`s are written at once, one by one. */
  close(): Promise<void>;
}

/**
 * Milestones written in batches through a WriteBehind (write_behind.ts): `add` stamps the time and queues
 * the row. A turn records about seven milestones; written one by one they were seven SQLite write
 * transactions per turn, contending with the other threads' writes for the database's single write lock
 * (bench_pipeline: ~0.5 ms of gateway CPU per turn, a fifth of throughput). `forRun` flushes first, so a
 * timeline read here sees everything added here; a shard worker flushes at the end of each job, before its
 * result reaches the main thread. What a crash can lose is at most the last `flushMs` of milestones and of
 * what else is queued with them (a worker's later transcript entries: createTranscriptRepo; the main
 * thread's inbox `running` marks: createInboxRepo), never an accepted message or an outbox row.
 */
export function createBufferedMilestoneRepo(
  db: Db,
  opts: WriteBehindOptions & {
    /** Stamps rows (default the clock's time). */
    now?: () => number;
    /** The queue to write through (default: one of its own, made with these options). */
    writeBehind?: WriteBehind;
  } = {},
): BufferedMilestoneRepo {
  const clock = opts.clock ?? systemClock;
  const now = opts.now ?? (() => clock.now());
  const direct = createMilestoneRepo(db, now);
  const queue = opts.writeBehind ?? createWriteBehind(db, opts);
  return {
    add: (m) => queue.add(insertEvent(m, now)),
    async forRun(runId) {
      await queue.flush().catch(() => {});
      return await direct.forRun(runId);
    },
    flush: () => queue.flush(),
    close: () => queue.close(),
  };
}
