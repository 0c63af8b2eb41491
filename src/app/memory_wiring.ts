/**
 * Registers the `memory.*` methods when memory is enabled. Nothing of memory is loaded, opened or indexed
 * until one of them is called (the feature costs nothing at start).
 */
import type { TalonPaths } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { MethodRegistry } from "../gateway/methods/registry.ts";
import { createMemoryMethods } from "../memory/memory_methods.ts";
import type { MemoryService } from "../memory/service.ts";
import type { Store } from "../store/mod.ts";

export interface MemoryWiringDeps {
  config: () => Readonly<Config>;
  store: Store;
  paths: TalonPaths;
  registry: MethodRegistry;
  clock: Clock;
}

export function registerGatewayMemory(deps: MemoryWiringDeps): void {
  const { config } = deps;
  if (!config().memory.enabled) return;
  let memory: Promise<MemoryService> | undefined;
  const load = () =>
    memory ??= Promise.all([import("../memory/service.ts"), import("../agent/run_workspace.ts")]).then((
      [m, a],
    ) =>
      m.createMemoryService({
        db: deps.store.db,
        config,
        workspaceFor: (agentId) => a.workspaceFor(config(), deps.paths, agentId),
        clock: deps.clock,
      })
    );
  for (
    const m of createMemoryMethods({
      memory: load,
      agentIds: () => config().agents.list.map((a) => a.id),
      defaultAgent: () => config().agents.defaultAgent,
    })
  ) deps.registry.add(m);
}
