/**
 * The tool catalog for `tools.effective`: the built-in tools exactly as a shard worker's registry holds
 * them (createWorkerTools with this config), built once on first use and then closed — the main thread
 * never runs them.
 */
import type { TalonPaths } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import type { Store } from "../store/mod.ts";
import type { CatalogTool } from "../tools/effective_tools.ts";

export interface ToolCatalogDeps {
  config: () => Readonly<Config>;
  env: Readonly<Record<string, string | undefined>>;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  paths: TalonPaths;
}

/** A lazy catalog of the built-in tools (name, group, description), cached per config object. */
export function createToolCatalog(deps: ToolCatalogDeps): () => Promise<readonly CatalogTool[]> {
  let cached: { config: Readonly<Config>; catalog: Promise<readonly CatalogTool[]> } | undefined;
  return () => {
    const config = deps.config();
    if (cached?.config === config) return cached.catalog;
    const catalog = import("./agent_tools.ts").then(async ({ createWorkerTools }) => {
      const tools = createWorkerTools({
        ...deps,
        config,
        runtime: () => {
          throw new Error("the tool catalog runs no tools");
        },
        emit: () => {},
      });
      try {
        return tools.executor.all().map((t) => ({
          name: t.name,
          group: t.group,
          description: t.description,
        }));
      } finally {
        await tools.close();
      }
    });
    cached = { config, catalog };
    return catalog;
  };
}
