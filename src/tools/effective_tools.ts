/**
 * "Which tools does agent X get when principal P causes a run?" — answered by the same resolveToolPolicy
 * the tool registry applies to every call (policy.ts), over the real tool catalog, so what the Control
 * UI shows is what a run gets. Gateway method `tools.effective` (read).
 */
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { TalonError } from "../core/errors.ts";
import { PRINCIPAL_KINDS } from "../core/principal.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import { capabilitiesOf } from "../security/capabilities.ts";
import { principalWidening, resolveToolPolicy } from "./policy.ts";
import { boundReport } from "./sandbox/outer_bound.ts";
import type { ToolGroup } from "./types.ts";

/** One tool of the catalog, as far as policy cares. */
export interface CatalogTool {
  name: string;
  group: ToolGroup;
  description?: string;
}

export const effectiveParams = z.strictObject({
  agentId: z.string().min(1).max(100).optional(),
  principal: z.enum(PRINCIPAL_KINDS),
  /** A session key places the run (e.g. a group chat, whose channel settings may deny more). */
  sessionKey: z.string().min(1).max(300).optional(),
});

export type EffectiveParams = z.infer<typeof effectiveParams>;

/** The resolved policy and, per tool and per MCP server, whether a run gets it and why not. */
export function effectiveTools(
  config: Readonly<Config>,
  p: EffectiveParams & { agentId: string },
  catalog: readonly CatalogTool[],
  mcpServers: readonly string[],
) {
  const principal = { kind: p.principal };
  const policy = resolveToolPolicy(config, { agentId: p.agentId, sessionKey: p.sessionKey, principal });
  const caps = capabilitiesOf(principal);
  const row = (name: string, group: ToolGroup) => {
    const reason = policy.check(name, group);
    return reason ? { allowed: false, reason } : { allowed: true };
  };
  const widen = principalWidening(config, p.principal);
  return {
    agentId: p.agentId,
    principal: p.principal,
    capabilities: caps,
    profile: policy.profile,
    allow: policy.allow,
    deny: policy.deny,
    ...(widen ? { byPrincipal: widen } : {}),
    tools: catalog.map((t) => ({
      name: t.name,
      group: t.group,
      description: t.description,
      ...row(t.name, t.group),
    })),
    // An MCP server's tools are named mcp__<server>__<tool> and belong to group:mcp:<server>.
    mcp: mcpServers.map((server) => ({ server, ...row(`mcp__${server}__`, "mcp") })),
    exec: { ask: config.tools.exec.ask, sandbox: config.tools.sandbox, confine: config.tools.exec.confine },
    bound: boundReport(config.sandbox.outerBound),
  };
}

export interface EffectiveToolsDeps {
  config(): Readonly<Config>;
  /** The built-in tools a run's registry holds (built once, lazily). */
  catalog(): Promise<readonly CatalogTool[]>;
  /** Configured MCP server ids. */
  mcpServers(): readonly string[];
}

/** The `tools.effective` method. */
export function createEffectiveToolsMethod(deps: EffectiveToolsDeps): MethodDef<EffectiveParams> {
  return {
    name: "tools.effective",
    scope: "read",
    params: effectiveParams,
    description:
      "The tools an agent's run gets for a principal: profile, allow/deny, each tool, the outer bound.",
    handler: async (p) => {
      const config = deps.config();
      const agentId = p.agentId ?? config.agents.defaultAgent;
      if (!config.agents.list.some((a) => a.id === agentId)) {
        throw new TalonError("NOT_FOUND", `Unknown agent "${agentId}"`);
      }
      return {
        agents: config.agents.list.map((a) => a.id),
        ...effectiveTools(config, { ...p, agentId }, await deps.catalog(), deps.mcpServers()),
      };
    },
  };
}
