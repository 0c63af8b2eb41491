/** `list`: lists a folder of the workspace. */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";
import type { DirEntryInfo } from "./sandbox/ops.ts";

const input = z.strictObject({
  path: z.string().default(".").describe("Folder relative to the workspace (default: the workspace)."),
  recursive: z.boolean().default(false),
});

/** Creates the `list` tool. */
export function createListTool(options: { maxEntries?: number } = {}) {
  const maxEntries = options.maxEntries ?? 500;
  return defineTool({
    name: "list",
    description: "List files and folders in the workspace (folders end with /).",
    group: "fs",
    input,
    permissions: (_i, ctx) => ({ read: [ctx.workspace] }),
    async run(i, ctx) {
      const target = await resolveWorkspacePath(ctx.workspace, i.path, "list");
      if (!target.exists) throw new ToolError("NotFound", `list ${i.path}: no such folder`);
      const r = await sandboxOf(ctx).run<{ entries: DirEntryInfo[]; truncated: boolean }>("listDir", {
        path: target.path,
        recursive: i.recursive,
        maxEntries,
      });
      const lines = r.entries.map((e) => e.type === "file" ? `${e.path} (${e.size} bytes)` : e.path);
      if (r.truncated) lines.push(`[truncated at ${maxEntries} entries]`);
      return { content: lines.join("\n") || "(empty)", data: r };
    },
  });
}
