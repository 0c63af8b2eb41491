/**
 * Gateway methods `heartbeat.status` (read), `heartbeat.now` and `heartbeat.set` (admin: the owner), and
 * the `/heartbeat off|on|now` chat command, which only the owner may use.
 */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { Heartbeat, HeartbeatOutcome } from "./heartbeat.ts";

const agentParam = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional();
export const heartbeatNowParams = z.strictObject({ agentId: agentParam }).prefault({});
export const heartbeatSetParams = z.strictObject({ agentId: agentParam, enabled: z.boolean() });

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

export interface HeartbeatMethodsDeps {
  heartbeat: Heartbeat;
  agentIds(): string[];
  defaultAgent(): string;
}

/** One line for people about a tick. */
export function describeOutcome(o: HeartbeatOutcome): string {
  switch (o.status) {
    case "skipped":
      return `Heartbeat skipped: ${o.reason}.`;
    case "suppressed":
      return "Heartbeat ran: nothing to report (HEARTBEAT_OK).";
    case "delivered":
      return `Heartbeat ran and sent its reply to ${o.target}.`;
    case "failed":
      return `Heartbeat failed: ${o.error}`;
  }
}

/** The heartbeat methods. */
export function createHeartbeatMethods(deps: HeartbeatMethodsDeps): MethodDef<unknown>[] {
  const agent = (id: string | undefined) => {
    const agentId = id ?? deps.defaultAgent();
    if (!deps.agentIds().includes(agentId)) throw new TalonError("NOT_FOUND", `Unknown agent "${agentId}"`);
    return agentId;
  };
  return [
    erase({
      name: "heartbeat.status",
      scope: "read",
      params: z.strictObject({}).prefault({}),
      description: "Agents with a heartbeat: interval, on/off, next tick.",
      handler: async () => ({ agents: await deps.heartbeat.status() }),
    }),
    erase({
      name: "heartbeat.now",
      scope: "admin",
      params: heartbeatNowParams,
      description: "Runs a heartbeat tick now (even outside active hours or when turned off).",
      handler: async (p) => {
        const outcome = await deps.heartbeat.tick(agent(p.agentId), { force: true });
        return { ...outcome, text: describeOutcome(outcome) };
      },
    }),
    erase({
      name: "heartbeat.set",
      scope: "admin",
      params: heartbeatSetParams,
      description: "Turns an agent's heartbeat on or off (kept across restarts).",
      handler: async (p) => {
        const agentId = agent(p.agentId);
        await deps.heartbeat.setEnabled(agentId, p.enabled);
        return { agentId, enabled: p.enabled };
      },
    }),
  ];
}

/** Answers `/heartbeat [off|on|now]` for an owner run of `agentId`. */
export async function heartbeatCommand(heartbeat: Heartbeat, agentId: string, arg: string | undefined) {
  const a = arg?.toLowerCase();
  if (a === "off" || a === "on") {
    await heartbeat.setEnabled(agentId, a === "on");
    return `Heartbeat ${a === "on" ? "on" : "off"} for agent ${agentId}.`;
  }
  if (a === "now") return describeOutcome(await heartbeat.tick(agentId, { force: true }));
  const s = (await heartbeat.status()).find((x) => x.agentId === agentId);
  const state = s
    ? `every ${s.every}, ${s.enabled ? "on" : "off"}`
    : "not configured (agents.defaults.heartbeat)";
  return `Heartbeat: ${state}. Use /heartbeat off|on|now.`;
}
