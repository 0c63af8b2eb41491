/**
 * `exec`: runs a program with an argv array (no shell unless tools.exec.allowShell) in a folder of the
 * workspace, with a timeout, an output cap and only the allow-listed environment variables. The program
 * is resolved to its real path, must be in tools.exec.allowPrograms, match an approval pattern, or be
 * approved by a person (see approvals.ts), and runs inside the OS confinement (security/confine.ts):
 * the workspace writable, no view of $HOME, Talon's state or the gateway's processes, no network unless
 * the call asked for it and was granted it. `background: true` starts it for the `process` tool.
 */
import { z } from "zod";
import type { ToolsConfig } from "../config/sections/tools.ts";
import type { Confiner } from "../security/confine.ts";
import { ConfineError } from "../security/confine.ts";
import { resolveProgram } from "../security/program_path.ts";
import { defineTool, sandboxOf } from "./registry.ts";
import { resolveWorkspacePath } from "./paths.ts";
import { ToolError } from "./errors.ts";
import type { Approvals } from "./approvals.ts";
import type { ProcessTable } from "./processes.ts";
import type { ExecOutcome } from "./sandbox/ops.ts";
import { type AgentWrites, changedFilesRead } from "./agent_writes.ts";
import { prepareExec } from "./exec_prepare.ts";
import type { PermissionBound } from "./sandbox/outer_bound.ts";

export { SHELLS } from "./exec_prepare.ts";

const input = z.strictObject({
  argv: z.array(z.string()).min(1).describe('Program and arguments, e.g. ["git", "status"]. No shell.'),
  cwd: z.string().optional().describe("Working folder relative to the workspace (default: the workspace)."),
  timeoutMs: z.number().int().min(100).optional().describe("Kill the program after this long."),
  stdin: z.string().optional().describe("Text for the program's standard input."),
  background: z.boolean().optional().describe("Start it and return a handle for the process tool."),
  network: z.boolean().optional().describe(
    "The program needs the network (off by default; a person approves it unless tools.exec.networkPrograms lists it).",
  ),
});

export interface ExecToolDeps {
  config: Readonly<ToolsConfig>;
  approvals: Approvals;
  processes: ProcessTable;
  /** The process environment; only tools.exec.envAllow names are passed on. PATH finds programs. */
  env: Readonly<Record<string, string | undefined>>;
  /** OS confinement of the program (bubblewrap); see security/confine.ts. */
  confiner: Confiner;
  /** The configured outer bound of tool calls: the program itself must be inside it. */
  bound?: PermissionBound;
  /** Files the session's tools wrote, for "changed by the agent" in approval requests. */
  writes?: AgentWrites;
}

/** Creates the `exec` tool. */
export function createExecTool(deps: ExecToolDeps) {
  const exec = deps.config.exec;
  return defineTool({
    name: "exec",
    description:
      "Run a program (argv array, no shell) in the workspace, inside a sandbox without network unless network:true. " +
      "Output is capped; long runs are killed at the timeout. " +
      "Set background:true for long-running programs and use the process tool to follow them.",
    group: "runtime",
    input,
    permissions: (i, ctx) => {
      const cwd = `${ctx.workspace}/${i.cwd ?? "."}`;
      const program = resolveProgram(i.argv[0]!, { path: deps.env.PATH, cwd }) ?? i.argv[0]!;
      const launcher = deps.confiner.launcher();
      return { run: launcher ? [program, launcher] : [program] };
    },
    async run(i, ctx) {
      const dir = await resolveWorkspacePath(ctx.workspace, i.cwd ?? ".", "exec cwd");
      if (!dir.exists) throw new ToolError("NotFound", `exec: the folder ${i.cwd} does not exist`);
      const confinement = await deps.confiner.status();
      const call = await prepareExec(
        { argv: i.argv, cwd: dir.path, stdin: i.stdin, network: i.network, workspace: ctx.workspace },
        { exec, env: deps.env, confinement, bound: deps.bound },
      );
      const changedByAgent = changedFilesRead(deps.writes?.written(ctx.sessionKey) ?? [], {
        program: call.program,
        requested: i.argv[0]!,
        args: i.argv.slice(1),
        cwd: dir.path,
        workspace: ctx.workspace,
      });
      const grant = await deps.approvals.authorize({
        ...call.binding,
        requested: i.argv,
        changedByAgent,
        runId: ctx.runId,
        sessionKey: ctx.sessionKey,
        tool: "exec",
        workspace: ctx.workspace,
        signal: ctx.signal,
      });
      await deps.approvals.consume(grant, call.binding);
      let plan;
      try {
        plan = await deps.confiner.plan(call.spec);
      } catch (err) {
        if (err instanceof ConfineError) throw new ToolError("Failed", `exec: ${err.message}`);
        throw err;
      }
      const launch = [plan.program, ...plan.args];
      const sandbox = sandboxOf(ctx);
      if (i.background) {
        const p = await deps.processes.start({
          sessionKey: ctx.sessionKey,
          argv: launch,
          command: [...call.binding.argv],
          cwd: dir.path,
          env: plan.env,
          maxOutputBytes: exec.maxOutputBytes,
          permissions: sandbox.permissions,
          stdin: i.stdin,
          confined: plan.confined,
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
          argv: launch,
          cwd: dir.path,
          env: plan.env,
          timeoutMs,
          maxOutputBytes: exec.maxOutputBytes,
          stdin: i.stdin,
        });
      } catch (err) {
        if (err instanceof ToolError && err.kind === "NotFound") {
          throw new ToolError("NotFound", `exec: program ${call.program} was not found`);
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
