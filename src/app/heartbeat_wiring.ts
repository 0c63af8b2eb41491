/**
 * Wires the heartbeat (src/cron/heartbeat.ts) to the gateway's lanes, sessions and outbox. Heartbeat turns
 * run in a lane of their own (`heartbeat`): they never hold up a reply, and a long cron job never holds
 * them up.
 */
import type { TalonPaths } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { createHeartbeat, type Heartbeat } from "../cron/heartbeat.ts";
import type { Store } from "../store/mod.ts";
import type { SessionRepo } from "../store/sessions.ts";
import type { ReplyTo } from "./egress.ts";
import type { LaneRuns } from "./lane_runs.ts";

export interface HeartbeatWiringDeps {
  config: () => Readonly<Config>;
  store: Store;
  sessions: SessionRepo;
  paths: TalonPaths;
  clock: Clock;
  logger: Logger;
  runs: () => LaneRuns;
  activeRun(sessionKey: string): string | undefined;
  deliverTo(to: ReplyTo, result: { text: string }): Promise<void>;
}

/** The gateway's heartbeat (not started). */
export function createGatewayHeartbeat(deps: HeartbeatWiringDeps): Heartbeat {
  return createHeartbeat({
    config: deps.config,
    clock: deps.clock,
    kv: deps.store.kv,
    milestones: deps.store.milestones,
    logger: deps.logger,
    async readChecklist(agentId) {
      const { workspaceFor } = await import("../agent/run_workspace.ts");
      try {
        return await Deno.readTextFile(`${workspaceFor(deps.config(), deps.paths, agentId)}/HEARTBEAT.md`);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return "";
        throw err;
      }
    },
    isBusy: (sessionKey) => deps.activeRun(sessionKey) !== undefined,
    startRun: (input) =>
      deps.runs().start({
        ...input,
        lane: "heartbeat",
        dedupeKey: `heartbeat:${input.runId}`,
        source: { channel: "heartbeat" },
      }),
    async lastSource(sessionKey) {
      const s = await deps.sessions.get(sessionKey);
      const last = s?.lastChannel as (Record<string, unknown> & { channel: string }) | undefined;
      return last && last.channel !== "heartbeat" ? last : undefined;
    },
    deliver: (target, text, meta) =>
      deps.deliverTo({
        runId: meta.runId,
        sessionKey: meta.sessionKey,
        source: target.kind === "source" ? target.source as ReplyTo["source"] : {
          channel: "heartbeat",
          deliver: { channel: target.channel, to: target.to, accountId: target.accountId },
        },
      }, { text }),
  });
}
