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
export function runWorkspace(
  config: Pick<Config, "agents">,
  paths: { workspaceDir: string },
  run: { agentId: string; sessionKey: string; principal: Principal },
): Promise<string> {
  return createRunDirs({ now: Date.now, maxAgeMs: 0 }).get(config, paths, run);
}

/** Where runs work, with the directory checks of recent runs remembered (see createRunDirs). */
export interface RunDirs {
  /** Like runWorkspace; a directory ensured less than `maxAgeMs` ago is not created or resolved again. */
  get(
    config: Pick<Config, "agents">,
    paths: { workspaceDir: string },
    run: { agentId: string; sessionKey: string; principal: Principal },
  ): Promise<string>;
}

/**
 * runWorkspace for the runs of one runtime without two file-system calls per turn (mkdir and realPath run
 * on the blocking thread pool): the canonical path of a directory is kept for `maxAgeMs` (default 1 s, so a
 * workspace removed by hand is created again on the next message a second later), for at most `max`
 * directories (default 256, least recently used first out: one entry per agent workspace or session
 * scratch directory in use).
 */
export function createRunDirs(opts: { now: () => number; maxAgeMs?: number; max?: number }): RunDirs {
  const maxAge = opts.maxAgeMs ?? 1000;
  const max = opts.max ?? 256;
  const known = new Map<string, { at: number; real: string }>();
  return {
    async get(config, paths, run) {
      const dir = capabilitiesOf(run.principal).workspace === "agent"
        ? workspaceFor(config, paths, run.agentId)
        : await scratchDirFor(paths, run.agentId, run.sessionKey);
      const hit = known.get(dir);
      known.delete(dir);
      if (hit && opts.now() - hit.at < maxAge) {
        known.set(dir, hit);
        return hit.real;
      }
      await Deno.mkdir(dir, { recursive: true });
      const real = await Deno.realPath(dir);
      known.set(dir, { at: opts.now(), real });
      if (known.size > max) known.delete(known.keys().next().value!);
      return real;
    },
  };
}
