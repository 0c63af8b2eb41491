/**
 * The heartbeat: every `every` (agents.defaults.heartbeat, or the agent's own), a turn in the agent's main
 * session works through the checklist in HEARTBEAT.md. A reply of exactly `HEARTBEAT_OK` is kept quiet;
 * anything else goes to the target (the chat the session last heard from, or a fixed channel target)
 * through the outbox. A tick is skipped outside active hours, while the session is busy, when the
 * checklist is empty or when the heartbeat was turned off (`/heartbeat off`, `heartbeat.set`). Every tick
 * is a `heartbeat` milestone. Heartbeat runs have the `cron` principal (id `heartbeat`): they work in the
 * agent's workspace but get no owner-only tools (no memory_search, no cron).
 */
import type { Config } from "../config/schema.ts";
import type { HeartbeatConfig } from "../config/sections/agents.ts";
import type { Clock } from "../core/clock.ts";
import { newRunId } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import type { Principal } from "../core/principal.ts";
import type { KvRepo } from "../store/kv.ts";
import type { MilestoneRepo } from "../store/milestones.ts";

export const HEARTBEAT_OK = "HEARTBEAT_OK";

export const DEFAULT_HEARTBEAT_PROMPT =
  "This is a heartbeat: a periodic check-in nobody typed. Work through the " +
  "checklist from HEARTBEAT.md below. Do not repeat old tasks from earlier chats. If nothing needs the " +
  `user's attention, reply exactly ${HEARTBEAT_OK} and nothing else.`;

export const HEARTBEAT_PRINCIPAL: Principal = { kind: "cron", id: "heartbeat" };

/** Where a heartbeat reply goes: a chat source (`last`) or a fixed target. */
export type HeartbeatTarget =
  | { kind: "source"; source: Record<string, unknown> & { channel: string } }
  | { kind: "deliver"; channel: string; to: string; accountId?: string };

export type HeartbeatOutcome =
  | { status: "skipped"; reason: string }
  | { status: "suppressed"; runId: string }
  | { status: "delivered"; runId: string; target: string }
  | { status: "failed"; runId: string; error: string };

export interface HeartbeatDeps {
  config: () => Readonly<Config>;
  clock: Clock;
  kv: KvRepo;
  milestones: MilestoneRepo;
  logger: Logger;
  /** HEARTBEAT.md of the agent's workspace ("" when missing). */
  readChecklist(agentId: string): Promise<string>;
  /** True while a run of the session is active or queued. */
  isBusy(sessionKey: string): boolean;
  /** Starts a turn in the session (background lane, principal cron). */
  startRun(
    input: { agentId: string; sessionKey: string; text: string; runId: string; principal: Principal },
  ): Promise<{ done: Promise<{ status: string; text: string }> }>;
  /** The chat the session last heard from, when any. */
  lastSource(sessionKey: string): Promise<(Record<string, unknown> & { channel: string }) | undefined>;
  /** Sends a reply to the target through the outbox. */
  deliver(target: HeartbeatTarget, text: string, meta: { runId: string; sessionKey: string }): Promise<void>;
}

export interface Heartbeat {
  /** Arms the timers of every agent with a heartbeat. */
  start(): void;
  stop(): void;
  /** Runs one tick now (`force` ignores active hours, not the busy check). */
  tick(agentId: string, opts?: { force?: boolean }): Promise<HeartbeatOutcome>;
  setEnabled(agentId: string, enabled: boolean): Promise<void>;
  status(): Promise<{ agentId: string; every: string; enabled: boolean; nextAt?: number }[]>;
}

/** The heartbeat settings of an agent, or undefined when it has none (or `every` is 0). */
export function heartbeatOf(config: Readonly<Config>, agentId: string): HeartbeatConfig | undefined {
  const own = config.agents.list.find((a) => a.id === agentId)?.heartbeat;
  const hb = own === false ? undefined : own ?? config.agents.defaults.heartbeat;
  return hb && parseEvery(hb.every) > 0 ? hb : undefined;
}

/** `30m` → 1_800_000. */
export function parseEvery(every: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(every);
  if (!m) throw new RangeError(`Invalid heartbeat interval "${every}"`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
}

/** True when `now` falls inside the active hours (always true without them). */
export function withinActiveHours(hours: HeartbeatConfig["activeHours"], now: number): boolean {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: hours.timezone ?? "UTC",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const minutes = get("hour") * 60 + get("minute");
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  const start = toMin(hours.start);
  const end = toMin(hours.end);
  if (start === end) return true;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** True when a reply means "nothing to report". */
export function isHeartbeatOk(text: string): boolean {
  return text.trim() === HEARTBEAT_OK;
}

const offKey = (agentId: string) => `heartbeat.off.${agentId}`;

/** Creates the heartbeat (not started). */
export function createHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const { clock } = deps;
  const timers = new Map<string, { id: number; at: number }>();
  let running = false;

  const mark = (runId: string, sessionKey: string, data: Record<string, unknown>) =>
    deps.milestones.add({ runId, sessionKey, kind: "heartbeat", data }).catch((err) =>
      deps.logger.warn("heartbeat milestone failed", { error: String(err) })
    );

  const resolveTarget = async (
    hb: HeartbeatConfig,
    sessionKey: string,
  ): Promise<HeartbeatTarget | undefined> => {
    if (hb.target === "none") return undefined;
    if (hb.target === "last") {
      const source = await deps.lastSource(sessionKey);
      return source ? { kind: "source", source } : undefined;
    }
    return { kind: "deliver", ...hb.target };
  };

  const tick = async (agentId: string, opts: { force?: boolean } = {}): Promise<HeartbeatOutcome> => {
    const config = deps.config();
    const hb = heartbeatOf(config, agentId);
    const sessionKey = `agent:${agentId}:main`;
    const runId = newRunId();
    const skip = async (reason: string): Promise<HeartbeatOutcome> => {
      await mark(runId, sessionKey, { outcome: "skipped", reason });
      return { status: "skipped", reason };
    };
    if (!hb && !opts.force) return await skip("no heartbeat is configured for this agent");
    if (!opts.force && await deps.kv.get<boolean>(offKey(agentId))) {
      return await skip("turned off (/heartbeat on)");
    }
    if (!opts.force && !withinActiveHours(hb?.activeHours, clock.now())) {
      return await skip("outside active hours");
    }
    if (deps.isBusy(sessionKey)) return await skip("the session is busy");
    const checklist = (await deps.readChecklist(agentId)).trim();
    if (!checklist) return await skip("HEARTBEAT.md is empty");
    // Read before the run: the heartbeat's own turn must not become "the last chat".
    const target = await resolveTarget(hb ?? { every: "0m", target: "last" }, sessionKey);
    const text = `${hb?.prompt ?? DEFAULT_HEARTBEAT_PROMPT}\n\n## HEARTBEAT.md\n${checklist}`;
    await mark(runId, sessionKey, { outcome: "started", forced: opts.force ?? false });
    try {
      const handle = await deps.startRun({
        agentId,
        sessionKey,
        text,
        runId,
        principal: HEARTBEAT_PRINCIPAL,
      });
      const result = await handle.done;
      if (result.status !== "ok") {
        await mark(runId, sessionKey, { outcome: "failed", status: result.status });
        return { status: "failed", runId, error: result.text.slice(0, 300) };
      }
      if (isHeartbeatOk(result.text) || !result.text.trim()) {
        await mark(runId, sessionKey, { outcome: "suppressed" });
        return { status: "suppressed", runId };
      }
      if (!target) {
        await mark(runId, sessionKey, { outcome: "suppressed", reason: "no target" });
        return { status: "suppressed", runId };
      }
      await deps.deliver(target, result.text, { runId, sessionKey });
      const where = target.kind === "deliver" ? `${target.channel}:${target.to}` : target.source.channel;
      await mark(runId, sessionKey, { outcome: "delivered", target: where });
      return { status: "delivered", runId, target: where };
    } catch (err) {
      await mark(runId, sessionKey, { outcome: "failed", error: String(err) });
      return { status: "failed", runId, error: String(err) };
    }
  };

  const arm = (agentId: string) => {
    const hb = heartbeatOf(deps.config(), agentId);
    if (!running || !hb) return;
    const ms = parseEvery(hb.every);
    const id = clock.setTimeout(() => {
      timers.delete(agentId);
      tick(agentId).catch((err) => deps.logger.error("heartbeat failed", { agentId, error: String(err) }))
        .finally(() => arm(agentId));
    }, ms);
    timers.set(agentId, { id, at: clock.now() + ms });
  };

  return {
    start() {
      if (running) return;
      running = true;
      for (const a of deps.config().agents.list) arm(a.id);
    },
    stop() {
      running = false;
      for (const t of timers.values()) clock.clearTimeout(t.id);
      timers.clear();
    },
    tick,
    async setEnabled(agentId, enabled) {
      if (enabled) await deps.kv.delete(offKey(agentId));
      else await deps.kv.set(offKey(agentId), true);
    },
    async status() {
      const config = deps.config();
      const out = [];
      for (const a of config.agents.list) {
        const hb = heartbeatOf(config, a.id);
        if (!hb) continue;
        out.push({
          agentId: a.id,
          every: hb.every,
          enabled: !(await deps.kv.get<boolean>(offKey(a.id))),
          ...(timers.has(a.id) ? { nextAt: timers.get(a.id)!.at } : {}),
        });
      }
      return out;
    },
  };
}
