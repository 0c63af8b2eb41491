/** `read`: reads a text file inside the workspace. */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";
import type { ToolContext } from "./types.ts";

const input = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace."),
  offset: z.number().int().min(1).optional().describe("First line to return (1-based)."),
  limit: z.number().int().min(1).optional().describe("Number of lines to return."),
});

export interface ReadToolOptions {
  /** Caps what is read from one file. */
  maxBytes?: number;
  /**
   * Folders outside the workspace that may be read too (read-only), e.g. the installed skills, whose
   * SKILL.md the model reads when a task calls for one. An absolute path inside one resolves there.
   */
  extraRoots?: (ctx: ToolContext) => Promise<readonly string[]>;
}

/** Creates the `read` tool. */
export function createReadTool(options: ReadToolOptions = {}) {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  /** The root an absolute path outside the workspace belongs to, if it is one of the extra roots. */
  const extraRootOf = async (path: string, ctx: ToolContext): Promise<string | undefined> => {
    if (!options.extraRoots || !path.startsWith("/") || path.split("/").includes("..")) return undefined;
    if (path === ctx.workspace || path.startsWith(`${ctx.workspace}/`)) return undefined;
    const roots = await options.extraRoots(ctx);
    return roots.find((r) => path === r || path.startsWith(`${r}/`));
  };
  return defineTool({
    name: "read",
    description:
      "Read a text file from the workspace (or a skill's files, by the path the skills list gives). " +
      "Optionally a line range (offset, limit).",
    group: "fs",
    input,
    // An absolute path outside the workspace adds its folder, which run() uses only after checking that the
    // path is inside one of the extra roots (a skill's folder); anything else is refused before the sandbox.
    permissions: (i, ctx) => ({
      read: options.extraRoots && i.path.startsWith("/") && !i.path.startsWith(`${ctx.workspace}/`)
        ? [ctx.workspace, i.path.slice(0, i.path.lastIndexOf("/")) || "/"]
        : [ctx.workspace],
    }),
    async run(i, ctx) {
      const extra = await extraRootOf(i.path, ctx);
      const root = extra ?? ctx.workspace;
      const target = await resolveWorkspacePath(root, i.path, "read");
      if (!target.exists) throw new ToolError("NotFound", `read ${i.path}: no such file`);
      const r = await sandboxOf(ctx).run<{ text: string; bytes: number; truncated: boolean }>(
        "readFile",
        { path: target.path, root: target.root, maxBytes },
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
