/**
 * The line an HTTP (OpenAI-compatible) caller reads when its run waits for a tool approval: which call,
 * the approval id, how the owner approves it, and how long it waits. Without it the request would just
 * hang until the approval is decided or times out.
 */
import { talonCommand } from "../core/cli_name.ts";

/** `approval.requested` as published on the bus. */
export interface ApprovalRequested {
  id: string;
  runId: string;
  tool: string;
  argv: string[];
  expiresAt?: number;
}

/** Narrows a bus payload to an approval request of `runId`. */
export function approvalOf(payload: unknown, runId: string): ApprovalRequested | undefined {
  const p = payload as Partial<ApprovalRequested> | undefined;
  if (!p || typeof p.id !== "string" || p.runId !== runId) return undefined;
  return {
    id: p.id,
    runId,
    tool: String(p.tool ?? "exec"),
    argv: Array.isArray(p.argv) ? p.argv.map(String) : [],
    ...(typeof p.expiresAt === "number" ? { expiresAt: p.expiresAt } : {}),
  };
}

/** One paragraph for the caller; `now` turns `expiresAt` into "within N min". */
export function approvalNotice(a: ApprovalRequested, now: number): string {
  const what = a.argv.length ? `${a.tool} \`${a.argv.join(" ").slice(0, 200)}\`` : a.tool;
  const minutes = a.expiresAt ? Math.max(1, Math.round((a.expiresAt - now) / 60_000)) : undefined;
  return `[Approval pending: ${what} needs the owner's approval (id ${a.id}). Approve with ` +
    `\`${talonCommand()} approvals approve ${a.id}\` (or \`${talonCommand()} approvals deny ${a.id}\`), in the Control UI ` +
    `(Approvals), or with \`/approve ${a.id} allow-once\` in the owner's chat.` +
    (minutes ? ` It is denied if nobody decides within ${minutes} min.` : "") +
    " This answer continues when it is decided.]\n\n";
}
