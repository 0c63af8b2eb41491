/** `process`: lists, polls, reads and kills the session's background processes (from `exec`). */
import { z } from "zod";
import { defineTool } from "./registry.ts";
import { ToolError } from "./errors.ts";
import type { ProcessInfo, ProcessTable } from "./processes.ts";

const input = z.strictObject({
  action: z.enum(["list", "poll", "read", "kill"]),
  handle: z.string().optional().describe("Handle returned by exec (not needed for list)."),
  stream: z.enum(["stdout", "stderr"]).default("stdout"),
  offset: z.number().int().min(0).default(0).describe(
    "Read from this character offset (use `next` from the last read).",
  ),
});

function describe(p: ProcessInfo): string {
  const state = p.running
    ? "running"
    : `exited ${p.code ?? ""}${p.signal ? ` (signal ${p.signal})` : ""}`.trim();
  return `${p.handle} pid ${p.pid} ${state}: ${p.argv.join(" ")}`;
}

/** Creates the `process` tool over a process table. */
export function createProcessTool(deps: { processes: ProcessTable }) {
  return defineTool({
    name: "process",
    description: "Manage background processes started by exec: list, poll (status), read (output), kill.",
    group: "runtime",
    input,
    async run(i, ctx) {
      const t = deps.processes;
      if (i.action === "list") {
        const all = await t.list(ctx.sessionKey);
        return { content: all.map(describe).join("\n") || "No background processes.", data: all };
      }
      if (!i.handle) throw new ToolError("InvalidInput", `process ${i.action} needs a handle`);
      if (i.action === "poll") {
        const p = await t.poll(ctx.sessionKey, i.handle);
        return { content: describe(p), data: p };
      }
      if (i.action === "read") {
        const r = await t.read(ctx.sessionKey, i.handle, i.stream, i.offset);
        return { content: `${describe(r.info)}\n${i.stream} (next offset ${r.next}):\n${r.text}`, data: r };
      }
      const p = await t.kill(ctx.sessionKey, i.handle);
      return { content: describe(p), data: p };
    },
  });
}
