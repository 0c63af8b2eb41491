/** `lanes.status` and the Prometheus lines the gateway's /metrics appends. */
import { z } from "zod";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { Scheduler, SchedulerStatus } from "./scheduler_types.ts";

/** The `lanes.status` method (read): per shard queue depth, active runs, restarts; lanes; waits. */
export function createLanesStatusMethod(scheduler: Pick<Scheduler, "status">): MethodDef<unknown> {
  const def: MethodDef<Record<string, never>> = {
    name: "lanes.status",
    scope: "read",
    params: z.strictObject({}).prefault({}),
    description: "Shard workers, queue depth, active runs, restarts and queue waits.",
    handler: () => scheduler.status(),
  };
  return def as unknown as MethodDef<unknown>;
}

const esc = (v: string | number) =>
  String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Prometheus text-format lines (ending in a newline) for the lanes. */
export function lanesMetrics(status: SchedulerStatus): string {
  const out: string[] = [];
  const metric = (
    name: string,
    type: string,
    help: string,
    rows: [Record<string, string | number>, number][],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of rows) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(",");
      out.push(`${name}${l ? `{${l}}` : ""} ${value}`);
    }
  };
  metric(
    "talon_lanes_queue_depth",
    "gauge",
    "Messages waiting per shard.",
    status.shards.map((s) => [{ shard: s.shard }, s.queueDepth]),
  );
  metric(
    "talon_lanes_active_runs",
    "gauge",
    "Runs in progress per shard.",
    status.shards.map((s) => [{ shard: s.shard }, s.active]),
  );
  metric(
    "talon_lanes_worker_up",
    "gauge",
    "1 when the shard worker is running.",
    status.shards.map((s) => [{ shard: s.shard }, s.alive ? 1 : 0]),
  );
  metric(
    "talon_lanes_worker_restarts_total",
    "counter",
    "Shard worker restarts after a crash or missed heartbeats.",
    status.shards.map((s) => [{ shard: s.shard }, s.restarts]),
  );
  metric(
    "talon_lanes_lane_active_runs",
    "gauge",
    "Runs in progress per lane.",
    Object.entries(status.lanes).map(([lane, l]) => [{ lane }, l.active]),
  );
  metric(
    "talon_lanes_runs_total",
    "counter",
    "Runs by outcome.",
    (["started", "done", "failed", "requeued", "dropped", "steered"] as const).map((
      k,
    ) => [{ outcome: k }, status.totals[k]]),
  );
  const w = status.waits;
  out.push(
    "# HELP talon_lanes_queue_wait_ms Time a message waited in its session queue before its run started.",
    "# TYPE talon_lanes_queue_wait_ms histogram",
    ...w.buckets.map((b) => `talon_lanes_queue_wait_ms_bucket{le="${b.le}"} ${b.count}`),
    `talon_lanes_queue_wait_ms_sum ${w.sumMs}`,
    `talon_lanes_queue_wait_ms_count ${w.count}`,
  );
  metric("talon_lanes_queue_wait_p50_ms", "gauge", "Median queue wait of recent runs.", [[{}, w.p50Ms]]);
  metric("talon_lanes_queue_wait_p99_ms", "gauge", "99th percentile queue wait of recent runs.", [[
    {},
    w.p99Ms,
  ]]);
  return out.join("\n") + "\n";
}
