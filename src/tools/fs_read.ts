/** `read`: reads a text file inside the workspace. */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";

const input = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace."),
  offset: z.number().int().min(1).optional().describe("First line to return (1-based)."),
  limit: z.number().int().min(1).optional().describe("Number of lines to return."),
});

/** Creates the `read` tool. `maxBytes` caps what is read from one file. */
export function createReadTool(options: { maxBytes?: number } = {}) {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  return defineTool({
    name: "read",
    description: "Read a text file from the workspace. Optionally a line range (offset, limit).",
    group: "fs",
    input,
    permissions: (_i, ctx) => ({ read: [ctx.workspace] }),
    async run(i, ctx) {
      const target = await resolveWorkspacePath(ctx.workspace, i.path, "read");
      if (!target.exists) throw new ToolError("NotFound", `read ${i.path}: no such file`);
      const r = await sandboxOf(ctx).run<{ text: string; bytes: number; truncated: boolean }>(
        "readFile",
        { path: target.path, maxBytes },
      );
      let text = r.text;
      if (i.offset !== undefined || i.limit !== undefined) {
        const start = (i.offset ?? 1) - 1;
        text = text.split("\n").slice(start, i.limit === undefined ? undefined : start + i.limit).join("\n");
      }
      const note = r.truncated ? `\n[truncated: showing ${maxBytes} of ${r.bytes} bytes]` : "";
      return {
        content: text + note,
        data: { path: target.relative, bytes: r.bytes, truncated: r.truncated },
      };
    },
  });
}
