/**
 * The run timeline as pure functions: `runs.timeline` milestones plus the run's approval audit rows,
 * in order, with each tool call annotated with the approval that let it run (if any).
 */

/** A milestone as `runs.timeline` sends it. */
export interface Milestone {
  id?: number;
  ts: number;
  kind: string;
  data?: Record<string, unknown>;
}

/** An audit row of the run (`runs.timeline` → `audit`). */
export interface AuditRow {
  id?: number;
  ts: number;
  kind: string;
  outcome: string;
  actor?: string;
  /** Who caused the run (`owner:credential:…`, `group:telegram:42`), on rows that belong to a run. */
  principal?: string;
  detail?: Record<string, unknown>;
}

export interface TimelineItem {
  key: string;
  ts: number;
  kind: string;
  data: Record<string, unknown>;
}

export interface TimelineResponse {
  runId?: string;
  milestones?: Milestone[];
  audit?: AuditRow[];
}

/** Every kind a run can show, in the order they normally happen. */
export const MILESTONE_ORDER = [
  "ingress",
  "routed",
  "queued",
  "lane.start",
  "run.start",
  "model.attempt",
  "approval",
  "tool.call",
  "run.end",
  "egress",
  "lane.end",
] as const;

const rank = (kind: string) => {
  const i = (MILESTONE_ORDER as readonly string[]).indexOf(kind);
  return i < 0 ? MILESTONE_ORDER.length : i;
};

/** What an approval audit row says, as a timeline item (`requested`, then the decision). */
function approvalItem(row: AuditRow, i: number): TimelineItem {
  const d = row.detail ?? {};
  return {
    key: `a:${row.id ?? i}`,
    ts: row.ts,
    kind: "approval",
    data: {
      decision: row.outcome,
      tool: d.tool,
      argv: d.argv,
      cwd: d.cwd,
      ...(row.actor ? { by: row.actor } : {}),
      ...(typeof d.id === "string" ? { approvalId: d.id } : {}),
    },
  };
}

/**
 * Milestones and approvals in time order (ties: by the usual order of kinds, then as stored). A tool
 * call gets `approval` set to the decision of the last approval of its tool decided before it ended.
 */
export function buildTimeline(res: TimelineResponse | undefined): TimelineItem[] {
  const items: TimelineItem[] = (res?.milestones ?? []).map((m, i) => ({
    key: `m:${m.id ?? i}`,
    ts: m.ts,
    kind: m.kind,
    data: { ...(m.data ?? {}) },
  }));
  (res?.audit ?? []).forEach((row, i) => {
    if (row.kind === "approval") items.push(approvalItem(row, i));
  });
  const order = new Map(items.map((it, i) => [it, i]));
  items.sort((a, b) => a.ts - b.ts || rank(a.kind) - rank(b.kind) || order.get(a)! - order.get(b)!);
  const used = new Set<TimelineItem>();
  for (const [i, it] of items.entries()) {
    if (it.kind !== "tool.call") continue;
    const decision = items.slice(0, i).findLast((a) =>
      a.kind === "approval" && !used.has(a) && a.data.decision !== "requested" && a.data.tool === it.data.tool
    );
    if (decision) {
      used.add(decision);
      it.data.approval = decision.data.decision;
    }
  }
  return items;
}
