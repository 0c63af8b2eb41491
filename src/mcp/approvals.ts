/**
 * Approvals for MCP tool calls (`tools.mcp.ask`): `off` — the tool policy alone decides; `on-miss` — a
 * person approves unless the tool is in `tools.mcp.approved` or exactly this call was allowed always
 * before; `always` — a person approves every call. A request shows the server, the tool and the exact
 * arguments (as argv `mcp <server> <tool> <json>`), goes through the same store, events and
 * `approval.resolve` (owner only) as exec approvals, and binds to a hash of exactly that call.
 */
import type { ToolsConfig } from "../config/sections/tools.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newId, sha256Hex } from "../core/ids.ts";
import type { ApprovalRecord, ApprovalRepo } from "../tools/approval_repo.ts";
import { ToolError } from "../tools/errors.ts";
import { expireRequest, waitForDecision } from "../tools/approval_wait.ts";

export interface McpApprovalQuery {
  runId: string;
  sessionKey: string;
  name: string;
  server: string;
  tool: string;
  args: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface McpApprover {
  /** Resolves when the call may run; throws ToolError Denied otherwise. */
  authorize(q: McpApprovalQuery): Promise<"policy" | "approved-list" | "allow-always" | "approval">;
}

/** The argv an MCP call is shown and stored as. */
export function mcpArgv(q: Pick<McpApprovalQuery, "server" | "tool" | "args">): string[] {
  return ["mcp", q.server, q.tool, JSON.stringify(q.args)];
}

export function createMcpApprover(deps: {
  config: Readonly<ToolsConfig>;
  repo: ApprovalRepo;
  bus: EventBus;
  clock: Clock;
  pollMs?: number;
}): McpApprover {
  const { mcp, exec } = deps.config;
  const preApproved = (name: string, server: string) =>
    mcp.approved.some((e) => e === name || e === `mcp__${server}__*`);
  const sameArgv = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);

  const ask = async (q: McpApprovalQuery, argv: string[]): Promise<void> => {
    const now = deps.clock.now();
    const record: ApprovalRecord = {
      id: newId("appr"),
      runId: q.runId,
      sessionKey: q.sessionKey,
      tool: q.name,
      argv,
      cwd: `mcp:${q.server}`,
      hash: await sha256Hex(JSON.stringify({ server: q.server, tool: q.tool, args: q.args })),
      status: "pending",
      createdAt: now,
      expiresAt: now + exec.approvalTimeoutMs,
    };
    await deps.repo.insert(record);
    const outcome = waitForDecision({
      repo: deps.repo,
      clock: deps.clock,
      id: record.id,
      timeoutMs: exec.approvalTimeoutMs,
      pollMs: deps.pollMs,
      signal: q.signal,
    });
    deps.bus.publish({
      event: "approval.requested",
      runId: q.runId,
      sessionKey: q.sessionKey,
      payload: {
        id: record.id,
        runId: q.runId,
        sessionKey: q.sessionKey,
        tool: q.name,
        argv,
        cwd: record.cwd,
        mcp: { server: q.server, tool: q.tool, arguments: q.args },
        expiresAt: record.expiresAt,
      },
    });
    const decision = await outcome;
    if (decision === "allow") {
      await deps.repo.transition(record.id, "allowed", "used");
      return;
    }
    if (decision === "deny") {
      deps.bus.publish({
        event: "approval.resolved",
        runId: q.runId,
        sessionKey: q.sessionKey,
        payload: { id: record.id, decision: "deny" },
      });
    } else await expireRequest(deps.repo, deps.bus, record, decision);
    throw new ToolError(
      "Denied",
      decision === "deny"
        ? `${q.name} was denied by an approver; nothing was called`
        : decision === "timeout"
        ? `approval ${record.id} for ${q.name} timed out; nothing was called`
        : `approval ${record.id} was abandoned because the run was aborted`,
    );
  };

  return {
    async authorize(q) {
      if (mcp.ask === "off") return "policy";
      const argv = mcpArgv(q);
      if (mcp.ask === "on-miss") {
        if (preApproved(q.name, q.server)) return "approved-list";
        if ((await deps.repo.allowlist()).some((a) => sameArgv(a, argv))) return "allow-always";
      }
      await ask(q, argv);
      return "approval";
    },
  };
}
