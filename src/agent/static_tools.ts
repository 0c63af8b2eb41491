/**
 * A minimal ToolExecutor over a fixed list of tool definitions: validates arguments with each tool's
 * zod schema and offers JSON Schema specs. The tools registry (policy, sandboxing) replaces it later
 * behind the same ToolExecutor interface.
 */
import { z } from "zod";
import { describeError } from "../core/errors.ts";
import type { ToolSpec } from "../providers/types.ts";
import type { ToolDefinition, ToolExecutor } from "../tools/types.ts";

/** Creates an executor for `defs`. Throws RangeError on duplicate tool names. */
// deno-lint-ignore no-explicit-any
export function createStaticToolExecutor(defs: readonly ToolDefinition<any>[]): ToolExecutor {
  // deno-lint-ignore no-explicit-any
  const byName = new Map<string, ToolDefinition<any>>();
  for (const d of defs) {
    if (byName.has(d.name)) throw new RangeError(`Duplicate tool name "${d.name}"`);
    byName.set(d.name, d);
  }
  const specs: ToolSpec[] = defs.map((d) => {
    const { $schema: _drop, ...parameters } = z.toJSONSchema(d.input, {
      io: "input",
      unrepresentable: "any",
    }) as
      & Record<string, unknown>
      & { $schema?: string };
    return { name: d.name, description: d.description, parameters };
  });
  return {
    specs: () => specs,
    async execute(name, args, ctx) {
      const def = byName.get(name);
      if (!def) {
        return {
          content: `Unknown tool "${name}". Available: ${[...byName.keys()].join(", ") || "none"}.`,
          isError: true,
        };
      }
      const parsed = def.input.safeParse(args);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) =>
          `${i.path.join(".") || "(args)"}: ${i.message}`
        );
        return { content: `Invalid arguments for ${name}: ${issues.join("; ")}`, isError: true };
      }
      if (ctx.signal.aborted) return { content: `${name} was not run: the run was aborted`, isError: true };
      try {
        return await def.run(parsed.data, ctx);
      } catch (err) {
        if (ctx.signal.aborted) return { content: `${name} stopped: the run was aborted`, isError: true };
        return { content: `${name} failed: ${describeError(err)}`, isError: true };
      }
    },
  };
}
