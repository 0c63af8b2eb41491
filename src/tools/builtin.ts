/**
 * Assembles Talon's built-in tools. The app wiring passes the real ports (outbox sender, sessions API,
 * cron scheduler, owner predicate) and hands the result to `createToolRegistry`.
 */
import type { Config } from "../config/schema.ts";
import type { AnyTool } from "./registry.ts";
import type { Approvals } from "./approvals.ts";
import type { ProcessTable } from "./processes.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";
import type { BrowserManager } from "./browser_manager.ts";
import type { MessageSender, SessionsApi } from "./ports.ts";
import type { CronScheduler } from "../cron/scheduler.ts";
import type { ToolContext } from "./types.ts";
import type { Confiner } from "../security/confine.ts";
import { createAgentWrites } from "./agent_writes.ts";
import { createReadTool } from "./fs_read.ts";
import { createWriteTool } from "./fs_write.ts";
import { createEditTool } from "./fs_edit.ts";
import { createListTool } from "./fs_list.ts";
import { createExecTool } from "./exec.ts";
import { createProcessTool } from "./process.ts";
import { createWebFetchTool } from "./web_fetch.ts";
import { createBrowserTool } from "./browser.ts";
import { createMessageTool } from "./message.ts";
import { createSessionTools } from "./sessions.ts";
import { createCronTool } from "./cron.ts";
import { createCurrentTimeTool } from "./current_time.ts";
import type { Clock } from "../core/clock.ts";
import { createMemoryTools, type MemoryToolsDeps } from "./memory.ts";

export interface BuiltinToolsDeps {
  config: Readonly<Config>;
  /** The process environment (for exec's env allowlist). */
  env: Readonly<Record<string, string | undefined>>;
  sandbox: Sandbox;
  /** What `current_time` reads. */
  clock: Pick<Clock, "now">;
  approvals: Approvals;
  processes: ProcessTable;
  /** OS confinement for exec's programs. */
  confiner: Confiner;
  browser?: { manager: BrowserManager; mediaDir: string };
  sender?: MessageSender;
  sessions?: SessionsApi;
  cron?: { scheduler: CronScheduler; isOwner(ctx: ToolContext): boolean };
  /** memory_search / memory_get (owner sessions only); absent when memory is off. */
  memory?: MemoryToolsDeps;
  /** Folders of the installed skills, readable (read-only) by the read tool. */
  skillDirs?: (ctx: ToolContext) => Promise<readonly string[]>;
}

/** Every built-in tool whose dependencies were given. */
export function createBuiltinTools(deps: BuiltinToolsDeps): AnyTool[] {
  const tools = deps.config.tools;
  const writes = createAgentWrites();
  const out: AnyTool[] = [
    createReadTool({ extraRoots: deps.skillDirs }),
    createWriteTool({ writes }),
    createEditTool({ writes }),
    createListTool(),
    createExecTool({
      config: tools,
      approvals: deps.approvals,
      processes: deps.processes,
      env: deps.env,
      confiner: deps.confiner,
      bound: deps.config.sandbox.outerBound,
      writes,
    }),
    createProcessTool({ processes: deps.processes }),
    createWebFetchTool({ config: tools, sandbox: deps.sandbox }),
    createCurrentTimeTool({ clock: deps.clock }),
  ];
  if (deps.browser) out.push(createBrowserTool({ config: tools, ...deps.browser }));
  if (deps.sender) out.push(createMessageTool({ sender: deps.sender }));
  if (deps.sessions) {
    out.push(
      ...createSessionTools({
        sessions: deps.sessions,
        agentIds: () => deps.config.agents.list.map((a) => a.id),
      }),
    );
  }
  if (deps.cron) out.push(createCronTool(deps.cron));
  if (deps.memory) out.push(...createMemoryTools(deps.memory));
  return out;
}
