/**
 * `exec`: runs a program with an argv array (no shell unless tools.exec.allowShell) in a folder of the
 * workspace, with a timeout, an output cap and only the allow-listed environment variables. The program
 * must be in tools.exec.allowPrograms, match an approval pattern, or be approved by a person
 * (see approvals.ts). `background: true` starts it and returns a handle for the `process` tool.
 */
import { z } from "zod";
import type { ToolsConfig } from "../config/sections/tools.ts";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";
import type { Approvals } from "./approvals.ts";
import type { ProcessTable } from "./processes.ts";
import type { ExecOutcome } from "./sandbox/ops.ts";

/** Programs that are shells: refused unless tools.exec.allowShell. */
export const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "zsh",
  "dash",
  "ksh",
  "fish",
  "csh",
  "tcsh",
  "busybox",
]);

const input = z.strictObject({
  argv: z.array(z.string()).min(1).describe('Program and arguments, e.g. ["git", "status"]. No shell.'),
  cwd: z.string().optional().describe("Working folder relative to the workspace (default: the workspace)."),
  timeoutMs: z.number().int().min(100).optional().describe("Kill the program after this long."),
  stdin: z.string().optional().describe("Text for the program's standard input."),
  background: z.boolean().optional().describe("Start it and return a handle for the process tool."),
});

export interface ExecToolDeps {
  config: Readonly<ToolsConfig>;
  approvals: Approvals;
  processes: ProcessTable;
  /** The process environment; only tools.exec.envAllow names are passed on. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Creates the `exec` tool. */
export function createExecTool(deps: ExecToolDeps) {
  const exec = deps.config.exec;
  const childEnv = () => {
    const out: Record<string, string> = {};
    for (const name of exec.envAllow) {
      const v = deps.env[name];
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
  return defineTool({
    name: "exec",
    description:
      "Run a program (argv array, no shell) in the workspace. Output is capped; long runs are killed at the timeout. " +
      "Set background:true for long-running programs and use the process tool to follow them.",
    group: "runtime",
    input,
    permissions: (i) => ({ run: [i.argv[0]!] }),
    async run(i, ctx) {
      const argv = Object.freeze([...i.argv]);
      const program = argv[0]!;
      const name = program.slice(program.lastIndexOf("/") + 1);
      if (SHELLS.has(name) && !exec.allowShell) {
        throw new ToolError(
          "Denied",
          `${name} is a shell and tools.exec.allowShell is off; pass the program and its arguments as argv`,
        );
      }
      const dir = await resolveWorkspacePath(ctx.workspace, i.cwd ?? ".", "exec cwd");
      if (!dir.exists) throw new ToolError("NotFound", `exec: the folder ${i.cwd} does not exist`);
      const grant = await deps.approvals.authorize({
        runId: ctx.runId,
        sessionKey: ctx.sessionKey,
        tool: "exec",
        argv,
        cwd: dir.path,
        signal: ctx.signal,
      });
      await deps.approvals.consume(grant, argv, dir.path);
      const sandbox = sandboxOf(ctx);
      if (i.background) {
        const p = await deps.processes.start({
          sessionKey: ctx.sessionKey,
          argv: [...argv],
          cwd: dir.path,
          env: childEnv(),
          maxOutputBytes: exec.maxOutputBytes,
          permissions: sandbox.permissions,
        });
        return {
          content:
            `Started in the background: handle ${p.handle} (pid ${p.pid}). Use the process tool to poll, read or kill it.`,
          data: p,
        };
      }
      const timeoutMs = Math.min(i.timeoutMs ?? exec.timeoutMs, exec.timeoutMs);
      let r: ExecOutcome;
      try {
        r = await sandbox.run<ExecOutcome>("exec", {
          argv,
          cwd: dir.path,
          env: childEnv(),
          timeoutMs,
          maxOutputBytes: exec.maxOutputBytes,
          stdin: i.stdin,
        });
      } catch (err) {
        if (err instanceof ToolError && err.kind === "NotFound") {
          throw new ToolError("NotFound", `exec: program ${program} was not found`);
        }
        throw err;
      }
      const parts = [
        r.timedOut
          ? `Killed after ${timeoutMs} ms (timeout).`
          : `Exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ""}.`,
      ];
      if (r.stdout) parts.push(`stdout:\n${r.stdout}`);
      if (r.stderr) parts.push(`stderr:\n${r.stderr}`);
      if (r.truncated) parts.push(`[output truncated at ${exec.maxOutputBytes} bytes]`);
      return { content: parts.join("\n"), isError: r.timedOut || r.code !== 0 ? true : undefined, data: r };
    },
  });
}
