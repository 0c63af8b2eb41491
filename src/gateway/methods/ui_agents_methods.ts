/**
 * Control UI methods about agents: `ui.agents` (read: each agent's model chain, tool profile with
 * allow/deny, workspace path) and `agents.files.get|set` (the workspace prompt files AGENTS.md, SOUL.md,
 * USER.md, MEMORY.md, HEARTBEAT.md). Reading a prompt file needs `read`; changing one changes what the
 * agent is told, so it is `admin` (the owner) — `write` credentials (api clients) cannot.
 */
import { z } from "zod";
import { findAgent, resolveChain } from "../../agent/model_chain.ts";
import { workspaceFor } from "../../agent/run_workspace.ts";
import type { Config } from "../../config/schema.ts";
import { TalonError } from "../../core/errors.ts";
import type { AuditRepo } from "../../store/audit.ts";
import type { MethodRegistry } from "./registry.ts";

/** The workspace files the UI may show and edit (nothing else in the workspace). */
export const AGENT_FILES = ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md"] as const;
const MAX_FILE = 256 * 1024;

export interface UiAgentMethodDeps {
  config: () => Readonly<Config>;
  paths: { workspaceDir: string };
  audit: AuditRepo;
}

const agentParam = z.string().min(1).max(100);
const fileParam = z.enum(AGENT_FILES);

/** Registers `ui.agents`, `agents.files.get` and `agents.files.set`. */
export function registerUiAgentMethods(registry: MethodRegistry, deps: UiAgentMethodDeps): void {
  const agentOrThrow = (agentId: string) => {
    const c = deps.config();
    if (!findAgent(c, agentId)) throw new TalonError("NOT_FOUND", `Unknown agent "${agentId}"`);
    return c;
  };
  const pathOf = (agentId: string, file: string) =>
    `${workspaceFor(deps.config(), deps.paths, agentId)}/${file}`;

  registry.add({
    name: "ui.agents",
    scope: "read",
    params: z.strictObject({}).optional(),
    description: "Agents with their model chain, tool profile (allow/deny) and workspace path.",
    handler: () => {
      const c = deps.config();
      return {
        defaultAgent: c.agents.defaultAgent,
        agents: c.agents.list.map((a) => ({
          id: a.id,
          name: a.name ?? a.id,
          models: resolveChain(c, a.id),
          tools: {
            profile: a.tools?.profile ?? c.tools.profile,
            allow: a.tools?.allow ?? [],
            deny: a.tools?.deny ?? [],
          },
          workspace: workspaceFor(c, deps.paths, a.id),
          files: [...AGENT_FILES],
        })),
      };
    },
  });

  registry.add({
    name: "agents.files.get",
    scope: "read",
    params: z.strictObject({ agentId: agentParam, file: fileParam }),
    description: "One workspace prompt file of an agent (empty with exists:false when missing).",
    handler: async ({ agentId, file }) => {
      agentOrThrow(agentId);
      try {
        return { agentId, file, exists: true, content: await Deno.readTextFile(pathOf(agentId, file)) };
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return { agentId, file, exists: false, content: "" };
        throw err;
      }
    },
  });

  registry.add({
    name: "agents.files.set",
    scope: "admin",
    params: z.strictObject({ agentId: agentParam, file: fileParam, content: z.string().max(MAX_FILE) }),
    description: "Writes one workspace prompt file of an agent (admin: it changes what the agent is told).",
    handler: async ({ agentId, file, content }, ctx) => {
      agentOrThrow(agentId);
      const path = pathOf(agentId, file);
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, content);
      await deps.audit.record({
        kind: "agent.file",
        outcome: "ok",
        actor: `credential:${ctx.credentialId}`,
        detail: { agentId, file, chars: content.length },
      });
      return { agentId, file, saved: true };
    },
  });
}
