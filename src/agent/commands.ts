/**
 * Chat commands, handled before the model: /new and /reset, /status, /model, /stop, /compact, /help
 * (/queue and /approve are answered by the lanes, see app/lane_runs.ts; /help lists them too).
 * Each returns the reply text. Text that is not one of these commands goes to the model unchanged.
 */
import type { Config } from "../config/schema.ts";
import type { Session, SessionRepo, UsageRepo } from "../store/sessions.ts";
import { utcDay } from "../store/sessions.ts";
import { findAgent, resolveChain, validateModelRef } from "./model_chain.ts";
import { formatUsd } from "./usage.ts";

export const COMMAND_NAMES = ["new", "reset", "status", "model", "stop", "compact", "help"] as const;
export type CommandName = typeof COMMAND_NAMES[number];

export interface ParsedCommand {
  name: CommandName;
  args: string;
}

/**
 * Parses `/name args` (also `/name@botname args` as Telegram sends in groups). Undefined for text that
 * is not a known command, which then goes to the model.
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const m = /^\/([a-z]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) return undefined;
  return { name: name as CommandName, args: (m[2] ?? "").trim() };
}

/** Commands that must not wait behind a running turn of the session. */
export function isImmediateCommand(name: CommandName): boolean {
  return name === "stop" || name === "status" || name === "help" || name === "model";
}

/** What commands may do to the runtime. */
export interface CommandHost {
  config(): Readonly<Config>;
  sessions: SessionRepo;
  usage: UsageRepo;
  now(): number;
  /** New sessionId for the key. */
  resetSession(sessionKey: string, agentId: string): Promise<Session>;
  /** Aborts the session's runs; returns how many were running or queued. */
  abortSession(sessionKey: string): number;
  /** Runs a forced compaction; returns a line for the user. */
  compact(sessionKey: string, agentId: string): Promise<string>;
  /** The runId running in the session, when any. */
  activeRun(sessionKey: string): string | undefined;
}

export const HELP_TEXT = [
  "Commands:",
  "/new or /reset — start a new conversation (the old transcript is kept)",
  "/status — model, tokens and cost of this session",
  "/model <provider/model> — use another model in this session; /model default to go back",
  "/stop — stop the answer in progress",
  "/compact — summarise older turns to free context",
  "/queue <steer|followup|collect|interrupt|default> — what a message sent during an answer does",
  "/approve <id> allow-once|allow-always|deny — answer a pending tool approval (owner only)",
  "/help — this list",
].join("\n");

/** Runs a command and returns the reply. */
export async function runCommand(
  cmd: ParsedCommand,
  target: { agentId: string; sessionKey: string },
  host: CommandHost,
): Promise<string> {
  const { agentId, sessionKey } = target;
  switch (cmd.name) {
    case "help":
      return HELP_TEXT;
    case "new":
    case "reset": {
      await host.resetSession(sessionKey, agentId);
      return "Started a new conversation.";
    }
    case "stop": {
      const n = host.abortSession(sessionKey);
      return n ? "Stopped." : "Nothing is running.";
    }
    case "compact":
      return await host.compact(sessionKey, agentId);
    case "model":
      return await modelCommand(cmd.args, target, host);
    case "status":
      return await statusText(target, host);
  }
}

async function modelCommand(
  args: string,
  target: { agentId: string; sessionKey: string },
  host: CommandHost,
) {
  const config = host.config();
  const session = await host.sessions.ensure(target.sessionKey, target.agentId);
  if (!args) {
    const chain = resolveChain(config, target.agentId, session.model);
    return `Current model: ${chain[0] ?? "none configured"}${
      session.model ? " (set for this session)" : ""
    }.\n` +
      "Use /model <provider/model> to switch, /model default to go back to the agent's model.";
  }
  if (args === "default" || args === "reset") {
    await host.sessions.setModel(target.sessionKey, undefined);
    const chain = resolveChain(config, target.agentId);
    return `Back to the agent's model: ${chain[0] ?? "none configured"}.`;
  }
  const problem = validateModelRef(config, args);
  if (problem) return problem;
  await host.sessions.setModel(target.sessionKey, args);
  return `Model for this session: ${args}.`;
}

async function statusText(
  target: { agentId: string; sessionKey: string },
  host: CommandHost,
): Promise<string> {
  const config = host.config();
  const session = await host.sessions.get(target.sessionKey);
  const chain = resolveChain(config, target.agentId, session?.model);
  const lines = [
    `Agent: ${target.agentId}`,
    `Model: ${chain[0] ?? "none configured"}${session?.model ? " (set for this session)" : ""}` +
    (chain.length > 1 ? `; fallbacks: ${chain.slice(1).join(", ")}` : ""),
    `Session: ${target.sessionKey}${session ? ` (${session.sessionId})` : " (new)"}`,
    `Tokens: ${session?.inputTokens ?? 0} in / ${session?.outputTokens ?? 0} out; cost ≈ ${
      formatUsd(session?.costUsd ?? 0)
    }`,
  ];
  const budget = findAgent(config, target.agentId)?.dailyBudgetUsd;
  const day = utcDay(host.now());
  const today = await host.usage.totalForDay(target.agentId, day);
  lines.push(
    `Today (${day} UTC): ${formatUsd(today.costUsd)}` +
      (budget !== undefined ? ` of ${formatUsd(budget)} daily budget` : ""),
  );
  const running = host.activeRun(target.sessionKey);
  lines.push(`Running: ${running ? `yes (${running})` : "no"}`);
  return lines.join("\n");
}
