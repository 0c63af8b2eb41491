/**
 * Where a run's file tools and programs work. Runs whose principal may write the prompt files (owner,
 * cron, system) work in the agent's workspace; every other run (user, group, hook, api) works in a
 * scratch directory of its own session, `<workspaceDir>/.scratch/<agentId>/<session>`, and so can neither
 * read nor change AGENTS.md, SOUL.md, USER.md, MEMORY.md or anything else of the agent's workspace.
 * The prompt of every run is still built from the agent's workspace (src/agent/prompt.ts).
 */
import type { Config } from "../config/schema.ts";
import type { Principal } from "../core/principal.ts";
import { sha256Hex } from "../core/ids.ts";
import { capabilitiesOf } from "../security/capabilities.ts";
import { findAgent } from "./model_chain.ts";

/** The agent's workspace directory: agents.list[].workspace, else <workspaceDir>/<agentId>. */
export function workspaceFor(
  config: Pick<Config, "agents">,
  paths: { workspaceDir: string },
  agentId: string,
): string {
  return findAgent(config, agentId)?.workspace ?? `${paths.workspaceDir}/${agentId}`;
}

/** The scratch directory of a session: readable name plus a hash, so distinct keys never share one. */
export async function scratchDirFor(
  paths: { workspaceDir: string },
  agentId: string,
  sessionKey: string,
): Promise<string> {
  const readable = sessionKey.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80);
  const hash = (await sha256Hex(sessionKey)).slice(0, 12);
  return `${paths.workspaceDir}/.scratch/${agentId.replace(/[^A-Za-z0-9_.-]+/g, "_")}/${readable}-${hash}`;
}

/** The directory a run works in (created when missing), canonical. */
export async function runWorkspace(
  config: Pick<Config, "agents">,
  paths: { workspaceDir: string },
  run: { agentId: string; sessionKey: string; principal: Principal },
): Promise<string> {
  const dir = capabilitiesOf(run.principal).workspace === "agent"
    ? workspaceFor(config, paths, run.agentId)
    : await scratchDirFor(paths, run.agentId, run.sessionKey);
  await Deno.mkdir(dir, { recursive: true });
  return await Deno.realPath(dir);
}
