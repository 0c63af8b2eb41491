/**
 * The tool catalog for `tools.effective`: the built-in tools exactly as a shard worker's registry holds
 * them (createWorkerTools with this config), built once on first use and then closed — the main thread
 * never runs them.
 */
import type { Config } from "../config/schema.ts";
import type { CatalogTool } from "../tools/effective_tools.ts";
import type { WorkerToolsDeps } from "./agent_tools.ts";

/** What a worker's tools are built from, with the config read at the time of asking. */
export type ToolCatalogDeps =
  & Pick<WorkerToolsDeps, "env" | "store" | "bus" | "clock" | "logger" | "paths">
  & { config: () => Readonly<Config> };

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
