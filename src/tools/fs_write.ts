/** `write`: creates or overwrites (or appends to) a text file inside the workspace. */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import type { AgentWrites } from "./agent_writes.ts";

const input = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace; parent folders are created."),
  content: z.string().describe("The full text to write."),
  append: z.boolean().optional().describe("Append instead of overwriting."),
});

/** Creates the `write` tool. */
export function createWriteTool(deps: { writes?: AgentWrites } = {}) {
  return defineTool({
    name: "write",
    description: "Write a text file in the workspace (creates parent folders, overwrites unless append).",
    group: "fs",
    input,
    permissions: (_i, ctx) => ({ read: [ctx.workspace], write: [ctx.workspace] }),
    async run(i, ctx) {
      const target = await resolveWorkspacePath(ctx.workspace, i.path, "write");
      const r = await sandboxOf(ctx).run<{ bytes: number }>("writeFile", {
        path: target.path,
        root: target.root,
        content: i.content,
        append: i.append,
      });
      deps.writes?.record(ctx.sessionKey, target.path);
      return {
        content: `${i.append ? "Appended" : "Wrote"} ${r.bytes} bytes to ${target.relative}`,
        data: { path: target.relative, bytes: r.bytes },
      };
    },
  });
}
