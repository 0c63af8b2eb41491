/** `edit`: replaces one exact occurrence of a text in a workspace file. */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import type { AgentWrites } from "./agent_writes.ts";
import { ToolError } from "./errors.ts";

const input = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace."),
  oldText: z.string().min(1).describe("Exact text to replace; must occur exactly once."),
  newText: z.string().describe("Replacement text."),
});

/** Creates the `edit` tool. */
export function createEditTool(deps: { writes?: AgentWrites } = {}) {
  return defineTool({
    name: "edit",
    description:
      "Replace an exact text in a workspace file. oldText must match exactly once (include context).",
    group: "fs",
    input,
    permissions: (_i, ctx) => ({ read: [ctx.workspace], write: [ctx.workspace] }),
    async run(i, ctx) {
      const target = await resolveWorkspacePath(ctx.workspace, i.path, "edit");
      if (!target.exists) throw new ToolError("NotFound", `edit ${i.path}: no such file`);
      try {
        const r = await sandboxOf(ctx).run<{ line: number }>("editFile", {
          path: target.path,
          root: target.root,
          oldText: i.oldText,
          newText: i.newText,
        });
        deps.writes?.record(ctx.sessionKey, target.path);
        return {
          content: `Edited ${target.relative} at line ${r.line}`,
          data: { path: target.relative, line: r.line },
        };
      } catch (err) {
        if (err instanceof ToolError && err.kind === "Failed") {
          throw new ToolError("InvalidInput", `edit ${i.path}: ${err.message.replace(/^Failed: /, "")}`);
        }
        throw err;
      }
    },
  });
}
