/**
 * `memory_search` and `memory_get`: the agent's long-term memory (MEMORY.md, memory/*.md). Read-only,
 * confined to the agent's own memory files, and for the owner's sessions only: runs caused by anyone else
 * (a DM contact, a group member, a hook or API client) are refused, so they cannot read the owner's notes.
 */
import { z } from "zod";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";
import type { ToolContext } from "./types.ts";
import { isMemoryPath } from "../memory/sources.ts";

/** What the memory tools need from the memory service. */
export interface MemorySearchPort {
  search(
    agentId: string,
    query: string,
    opts: { k?: number; signal?: AbortSignal },
  ): Promise<{
    mode: string;
    note?: string;
    hits: { path: string; startLine: number; endLine: number; score: number; snippet: string }[];
  }>;
}

export interface MemoryToolsDeps {
  memory: MemorySearchPort;
  /** True when the calling run belongs to the owner. */
  isOwner(ctx: ToolContext): boolean;
}

const searchInput = z.strictObject({
  query: z.string().min(1).max(1000).describe("What to look for, in words."),
  k: z.number().int().min(1).max(20).optional().describe("Results to return (default 6)."),
});

const getInput = z.strictObject({
  path: z.string().min(1).describe("MEMORY.md or memory/<file>.md, as memory_search returned it."),
  from: z.number().int().min(1).optional().describe("First line (1-based); default 1."),
  lines: z.number().int().min(1).max(500).optional().describe("How many lines; default 80."),
});

const refuse = () => {
  throw new ToolError("Denied", "memory is only available in the owner's sessions");
};

/** Creates `memory_search` and `memory_get`. */
export function createMemoryTools(deps: MemoryToolsDeps) {
  const search = defineTool({
    name: "memory_search",
    description: "Search long-term memory (MEMORY.md, memory/*.md daily notes) by meaning and keywords. " +
      "Returns path, line range, score and a snippet for each match.",
    group: "memory",
    input: searchInput,
    async run(i, ctx) {
      if (!deps.isOwner(ctx)) refuse();
      const r = await deps.memory.search(ctx.agentId, i.query, { k: i.k, signal: ctx.signal });
      const lines = r.hits.map((h) =>
        `${h.path}:${h.startLine}-${h.endLine} (score ${h.score})\n${h.snippet.replace(/^(?=.)/gm, "  ")}`
      );
      const head = r.note ? `${r.note}\n\n` : "";
      return {
        content: head + (lines.join("\n\n") || "No matching memory."),
        data: r,
      };
    },
  });
  const get = defineTool({
    name: "memory_get",
    description: "Read lines of a memory file (MEMORY.md or memory/*.md), e.g. around a memory_search hit.",
    group: "memory",
    input: getInput,
    permissions: (_i, ctx) => ({ read: [ctx.workspace] }),
    async run(i, ctx) {
      if (!deps.isOwner(ctx)) refuse();
      const target = await resolveWorkspacePath(ctx.workspace, i.path, "memory_get");
      if (!isMemoryPath(target.relative)) {
        throw new ToolError("NotCapable", `memory_get ${i.path}: only MEMORY.md and memory/*.md can be read`);
      }
      if (!target.exists) throw new ToolError("NotFound", `memory_get ${i.path}: no such file`);
      const r = await sandboxOf(ctx).run<{ text: string; bytes: number; truncated: boolean }>(
        "readFile",
        { path: target.path, root: target.root, maxBytes: 512 * 1024 },
      );
      const all = r.text.split("\n");
      const from = i.from ?? 1;
      const count = i.lines ?? 80;
      const slice = all.slice(from - 1, from - 1 + count);
      const to = from + slice.length - 1;
      return {
        content: `${target.relative} lines ${from}-${Math.max(from, to)} of ${all.length}\n${
          slice.join("\n")
        }`,
        data: { path: target.relative, from, to, total: all.length },
      };
    },
  });
  return [search, get];
}
