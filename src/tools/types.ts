/**
 * The tool interface the agent runtime executes through. The registry (tools issue) fills it; the
 * runtime only knows `ToolExecutor`.
 */
import type { z } from "zod";
import type { Principal } from "../core/principal.ts";
import type { ToolSpec } from "../providers/types.ts";

export type ToolGroup =
  | "fs"
  | "runtime"
  | "web"
  | "browser"
  | "messaging"
  | "sessions"
  | "automation"
  | "memory"
  | "mcp"
  | "util";

/** Deno permissions a tool call needs; each list is the allowed set (empty = none). */
export interface ToolPermissions {
  read?: string[];
  write?: string[];
  net?: string[];
  run?: string[];
  env?: string[];
}

/** What a tool call knows about where it runs. */
export interface ToolContext {
  runId: string;
  sessionKey: string;
  agentId: string;
  /** Absolute, canonical workspace directory of the agent. */
  workspace: string;
  signal: AbortSignal;
  /** The channel the run came from (for per-channel policy), when any. */
  channel?: string;
  /** The channel account and group/chat id the run came from (per-group policy), when known. */
  accountId?: string;
  groupId?: string;
  /** Who caused the run (unset: `system`). Decides the tool set, session reach and workspace. */
  principal?: Principal;
  /** Set by the registry: runs sandbox operations with exactly the permissions granted to this call. */
  sandbox?: ToolSandbox;
}

/** A permission-scoped executor of sandbox operations, bound to one tool call's permissions. */
export interface ToolSandbox {
  readonly permissions: ToolPermissions;
  /** Runs operation `op` (see sandbox/ops.ts) in a worker holding only `permissions`. */
  run<T = unknown>(op: string, args: unknown): Promise<T>;
}

export interface ToolResult {
  /** Text handed back to the model. */
  content: string;
  isError?: boolean;
  /** Structured data for UIs (not sent to the model). */
  data?: unknown;
  /** Image files the tool produced (saved under the media folder): shown to a vision-capable model. */
  images?: { path: string; mime: string; bytes?: number }[];
}

/** One tool: schema, description, group, the permissions it needs, and how to run it. */
export interface ToolDefinition<I = Record<string, unknown>> {
  name: string;
  description: string;
  group: ToolGroup;
  input: z.ZodType<I>;
  /** The JSON Schema offered to the model, when it is not derived from `input` (MCP tools). */
  parameters?: Record<string, unknown>;
  permissions?(input: I, ctx: ToolContext): ToolPermissions;
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
}

/** What the agent runtime sees: the specs to offer and a way to execute a call. */
export interface ToolExecutor {
  /** Tools visible to this run (policy already applied). */
  specs(ctx: Omit<ToolContext, "signal" | "runId">): ToolSpec[];
  /** Runs one call. Never throws for tool failures: they come back as `isError` results. */
  execute(name: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}
