/** Stored approvals and the allow-always list (tables from store/tool_tables.ts). */
import type { Db } from "../store/db.ts";
import type { StoredBinding } from "./approval_binding.ts";

export type ApprovalStatus = "pending" | "allowed" | "denied" | "expired" | "used";

export interface ApprovalRecord {
  id: string;
  runId?: string;
  sessionKey?: string;
  tool: string;
  argv: string[];
  cwd: string;
  hash: string;
  /** The rest of what the approval binds and shows (stdin, env names, network, confinement…). */
  binding?: StoredBinding;
  status: ApprovalStatus;
  resolvedBy?: string;
  createdAt: number;
  expiresAt: number;
  resolvedAt?: number;
}

export interface ApprovalRepo {
  insert(r: ApprovalRecord): Promise<void>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  list(filter?: { status?: ApprovalStatus; limit?: number }): Promise<ApprovalRecord[]>;
  /** Moves `id` from `from` to `to`; false when it was not in `from`. */
  transition(id: string, from: ApprovalStatus, to: ApprovalStatus, by?: string): Promise<boolean>;
  /** Exact argv lists approved with allow-always. */
  allowlist(): Promise<string[][]>;
  addToAllowlist(argv: string[], by: string): Promise<void>;
  /** The allow-always entries with who added them and when. */
  allowlistEntries(): Promise<StoredEntry<string[]>[]>;
  /** Removes an allow-always entry; false when there was none. */
  removeFromAllowlist(argv: readonly string[]): Promise<boolean>;
  /** Exec approval patterns added at run time ('program arg…', matched like tools.exec.approvals). */
  patterns(): Promise<StoredEntry<string>[]>;
  /** Adds a pattern; false when it was there already. */
  addPattern(pattern: string, by: string): Promise<boolean>;
  removePattern(pattern: string): Promise<boolean>;
}

/** A stored allow-always entry or pattern. */
export interface StoredEntry<T> {
  value: T;
  createdBy?: string;
  createdAt: number;
}

const entry = (r: Record<string, unknown>) => ({
  createdAt: Number(r.created_at),
  ...(r.created_by == null ? {} : { createdBy: String(r.created_by) }),
});

/** Creates the approval repository over `db`. */
export function createApprovalRepo(db: Db, now = Date.now): ApprovalRepo {
  const toRecord = (r: Record<string, unknown>): ApprovalRecord => ({
    id: String(r.id),
    runId: r.run_id == null ? undefined : String(r.run_id),
    sessionKey: r.session_key == null ? undefined : String(r.session_key),
    tool: String(r.tool),
    argv: JSON.parse(String(r.argv)),
    cwd: String(r.cwd),
    hash: String(r.hash),
    ...(r.binding == null ? {} : { binding: JSON.parse(String(r.binding)) as StoredBinding }),
    status: String(r.status) as ApprovalStatus,
    resolvedBy: r.resolved_by == null ? undefined : String(r.resolved_by),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    resolvedAt: r.resolved_at == null ? undefined : Number(r.resolved_at),
  });
  return {
    async insert(r) {
      await db.run(
        `INSERT INTO tool_approvals
           (id, run_id, session_key, tool, argv, cwd, hash, binding, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.id,
          r.runId ?? null,
          r.sessionKey ?? null,
          r.tool,
          JSON.stringify(r.argv),
          r.cwd,
          r.hash,
          r.binding ? JSON.stringify(r.binding) : null,
          r.status,
          r.createdAt,
          r.expiresAt,
        ],
      );
    },
    async get(id) {
      const rows = await db.query<Record<string, unknown>>("SELECT * FROM tool_approvals WHERE id = ?", [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(filter = {}) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT * FROM tool_approvals ${
          filter.status ? "WHERE status = ?" : ""
        } ORDER BY created_at DESC LIMIT ?`,
        filter.status ? [filter.status, filter.limit ?? 100] : [filter.limit ?? 100],
      );
      return rows.map(toRecord);
    },
    async transition(id, from, to, by) {
      const r = await db.run(
        "UPDATE tool_approvals SET status = ?, resolved_by = COALESCE(?, resolved_by), resolved_at = ? WHERE id = ? AND status = ?",
        [to, by ?? null, now(), id, from],
      );
      return r.rowsAffected > 0;
    },
    async allowlist() {
      const rows = await db.query<{ pattern: string }>(
        "SELECT pattern FROM tool_approval_allowlist ORDER BY created_at",
      );
      return rows.map((r) => JSON.parse(String(r.pattern)));
    },
    async addToAllowlist(argv, by) {
      await db.run(
        "INSERT INTO tool_approval_allowlist (pattern, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT(pattern) DO NOTHING",
        [JSON.stringify(argv), by, now()],
      );
    },
    async allowlistEntries() {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM tool_approval_allowlist ORDER BY created_at",
      );
      return rows.map((r) => ({ ...entry(r), value: JSON.parse(String(r.pattern)) as string[] }));
    },
    async removeFromAllowlist(argv) {
      const r = await db.run("DELETE FROM tool_approval_allowlist WHERE pattern = ?", [JSON.stringify(argv)]);
      return r.rowsAffected > 0;
    },
    async patterns() {
      const rows = await db.query<Record<string, unknown>>(
        "SELECT * FROM tool_approval_patterns ORDER BY created_at, pattern",
      );
      return rows.map((r) => ({ ...entry(r), value: String(r.pattern) }));
    },
    async addPattern(pattern, by) {
      const r = await db.run(
        "INSERT INTO tool_approval_patterns (pattern, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT(pattern) DO NOTHING",
        [pattern, by, now()],
      );
      return r.rowsAffected > 0;
    },
    async removePattern(pattern) {
      const r = await db.run("DELETE FROM tool_approval_patterns WHERE pattern = ?", [pattern]);
      return r.rowsAffected > 0;
    },
  };
}
