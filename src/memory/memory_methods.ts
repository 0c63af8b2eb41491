/**
 * Gateway methods `memory.status`, `memory.index` and `memory.search`. Memory is the owner's: every method
 * needs the `admin` scope (the owner's credential); `read`/`write` credentials (api principals) are refused.
 */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { MemoryService } from "./service.ts";
import { MAX_K } from "./ranking.ts";

const agentParam = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional()
  .describe("Agent id; default the default agent.");

export const memoryStatusParams = z.strictObject({ agentId: agentParam }).prefault({});
export const memoryIndexParams = z.strictObject({ agentId: agentParam, force: z.boolean().optional() })
  .prefault({});
export const memorySearchParams = z.strictObject({
  agentId: agentParam,
  query: z.string().min(1).max(1000),
  k: z.number().int().min(1).max(MAX_K).optional(),
});

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

export interface MemoryMethodsDeps {
  /** The memory service, created on first use. */
  memory(): Promise<MemoryService>;
  agentIds(): string[];
  defaultAgent(): string;
}

/** The memory methods. */
export function createMemoryMethods(deps: MemoryMethodsDeps): MethodDef<unknown>[] {
  const agent = (id: string | undefined) => {
    const agentId = id ?? deps.defaultAgent();
    if (!deps.agentIds().includes(agentId)) throw new TalonError("NOT_FOUND", `Unknown agent "${agentId}"`);
    return agentId;
  };
  return [
    erase({
      name: "memory.status",
      scope: "admin",
      params: memoryStatusParams,
      description: "Memory index of an agent: files, chunks, vectors, search mode, last sync.",
      handler: async (p) => (await deps.memory()).status(agent(p.agentId)),
    }),
    erase({
      name: "memory.index",
      scope: "admin",
      params: memoryIndexParams,
      description: "Brings an agent's memory index up to date (force: rebuild it).",
      handler: async (p, ctx) =>
        (await deps.memory()).index(agent(p.agentId), { force: p.force, signal: ctx.signal }),
    }),
    erase({
      name: "memory.search",
      scope: "admin",
      params: memorySearchParams,
      description: "Hybrid (vector + keyword) search over an agent's memory files.",
      handler: async (p, ctx) =>
        (await deps.memory()).search(agent(p.agentId), p.query, { k: p.k, signal: ctx.signal }),
    }),
  ];
}
