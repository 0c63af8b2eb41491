/**
 * The tool registry: the `ToolExecutor` the agent runtime uses. It offers the model only the tools policy
 * allows (as JSON Schema), validates arguments, computes each call's Deno permissions, runs the tool with a
 * sandbox bound to exactly those permissions, and writes one audit row per call. It never throws for a
 * tool failure: the model gets an `isError` result.
 */
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { describeError } from "../core/errors.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { ToolSpec } from "../providers/types.ts";
import type { ToolContext, ToolDefinition, ToolExecutor, ToolPermissions, ToolResult } from "./types.ts";
import { resolveToolPolicy } from "./policy.ts";
import { describePrincipal } from "../security/capabilities.ts";
import { ToolError } from "./errors.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";

// deno-lint-ignore no-explicit-any
export type AnyTool = ToolDefinition<any>;

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<I>(def: ToolDefinition<I>): ToolDefinition<I> {
  return def;
}

export interface ToolRegistryDeps {
  config: Readonly<Config>;
  tools: readonly AnyTool[];
  /** Tools that come and go at run time (MCP servers' tools); asked on every specs/execute. */
  extraTools?: () => readonly AnyTool[];
  sandbox: Sandbox;
  audit?: AuditRepo;
  logger?: Logger;
  now?: () => number;
}

export interface ToolRegistry extends ToolExecutor {
  /** Every registered tool, regardless of policy. */
  all(): readonly AnyTool[];
  get(name: string): AnyTool | undefined;
}

/** Creates the registry. Tool names must be unique. */
export function createToolRegistry(deps: ToolRegistryDeps): ToolRegistry {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const byName = new Map<string, AnyTool>();
  for (const t of deps.tools) {
    if (byName.has(t.name)) throw new RangeError(`Tool ${t.name} is registered twice`);
    byName.set(t.name, t);
  }
  const schemas = new Map<string, Record<string, unknown>>();
  const schemaOf = (t: AnyTool) => {
    if (t.parameters) return t.parameters;
    let s = schemas.get(t.name);
    if (!s) {
      s = z.toJSONSchema(t.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
      delete s.$schema;
      schemas.set(t.name, s);
    }
    return s;
  };

  const audit = async (
    ctx: ToolContext,
    tool: string,
    args: unknown,
    outcome: string,
    ms: number,
    extra = {},
  ) => {
    try {
      await deps.audit?.record({
        kind: "tool.call",
        outcome,
        actor: `agent:${ctx.agentId}`,
        runId: ctx.runId,
        sessionKey: ctx.sessionKey,
        principal: describePrincipal(ctx.principal ?? { kind: "system" }),
        detail: { tool, args, ms, ...extra },
      });
    } catch (err) {
      logger.warn("tool audit row failed", { runId: ctx.runId, error: describeError(err) });
    }
  };

  const find = (name: string) => byName.get(name) ?? deps.extraTools?.().find((t) => t.name === name);

  return {
    all: () => [...byName.values(), ...(deps.extraTools?.() ?? [])],
    get: (name) => find(name),
    specs(ctx): ToolSpec[] {
      const policy = resolveToolPolicy(deps.config, ctx);
      return [...byName.values(), ...(deps.extraTools?.() ?? []).filter((t) => !byName.has(t.name))]
        .filter((t) => policy.allowed(t.name, t.group))
        .map((t) => ({ name: t.name, description: t.description, parameters: schemaOf(t) }));
    },
    async execute(name, args, ctx): Promise<ToolResult> {
      const started = now();
      const tool = find(name);
      if (!tool) {
        await audit(ctx, name, args, "unknown", 0);
        return { content: `InvalidInput: there is no tool named ${name}`, isError: true };
      }
      const reason = resolveToolPolicy(deps.config, ctx).check(tool.name, tool.group);
      if (reason) {
        await audit(ctx, name, args, "denied", 0, { reason });
        return { content: `Denied: ${reason}`, isError: true };
      }
      const parsed = tool.input.safeParse(args ?? {});
      if (!parsed.success) {
        await audit(ctx, name, args, "invalid", 0);
        return { content: `InvalidInput: ${z.prettifyError(parsed.error)}`, isError: true };
      }
      let permissions: ToolPermissions = {};
      let result: ToolResult;
      try {
        if (ctx.signal.aborted) throw new ToolError("Failed", "the run was aborted");
        permissions = tool.permissions?.(parsed.data, ctx) ?? {};
        const sandbox = deps.sandbox.bind(permissions, ctx.signal);
        result = await tool.run(parsed.data, { ...ctx, sandbox });
      } catch (err) {
        const content = err instanceof ToolError ? err.message : `Failed: ${describeError(err)}`;
        result = { content, isError: true };
      }
      const ms = now() - started;
      await audit(ctx, name, args, result.isError ? "error" : "ok", ms, {
        permissions,
        ...(result.isError ? { error: result.content.slice(0, 500) } : {}),
      });
      logger.debug("tool call", {
        runId: ctx.runId,
        sessionKey: ctx.sessionKey,
        tool: name,
        ms,
        ok: !result.isError,
      });
      return result;
    },
  };
}

/** The sandbox of a call, or a clear error when a tool runs outside the registry. */
export function sandboxOf(ctx: ToolContext) {
  if (!ctx.sandbox) {
    throw new ToolError("Failed", "this tool must run through the tool registry (no sandbox)");
  }
  return ctx.sandbox;
}
