/** The payload of an agent turn as it travels through the inbox and the lanes. */
import type { JobInput } from "../lanes/mod.ts";
import type { TalonPaths } from "../config/paths.ts";
import type { Principal } from "../core/principal.ts";
import type { MediaRef } from "../core/types.ts";

export interface AgentJobPayload {
  agentId: string;
  text: string;
  /** Media received with the message (paths under the media directory). */
  media?: MediaRef[];
  /** Who caused this message's run; stored in the inbox with it and carried into the shard worker. */
  principal?: Principal;
  source: {
    channel: string;
    accountId?: string;
    peer?: { kind: "direct" | "group" | "channel"; id: string };
    threadId?: string;
    messageId?: string;
    senderId?: string;
    clientId?: string;
    /** Deliver the reply to this channel target instead of (or without) a source chat. */
    deliver?: { channel: string; to: string; accountId?: string };
    [key: string]: unknown;
  };
}

export const INTERRUPTED_NOTE =
  "[Talon restarted while this message was being answered; the earlier attempt was interrupted. Answering again.]";

/**
 * The user text of a turn: lines about messages dropped by the queue cap, a note when the turn was
 * interrupted by a crash, then every merged message (debounce/collect) in order.
 */
export function buildTurnText(job: Pick<JobInput, "messages" | "dropped">): string {
  const parts: string[] = [];
  if (job.dropped.length > 0) {
    parts.push(
      `[Messages that arrived while busy and were condensed:]\n${
        job.dropped.map((d) => `- ${d}`).join("\n")
      }`,
    );
  }
  if (job.messages.some((m) => m.interrupted)) parts.push(INTERRUPTED_NOTE);
  for (const m of job.messages) parts.push((m.payload as AgentJobPayload).text);
  return parts.join("\n\n");
}

/** The media of every merged message of a turn, in order. */
export function turnMedia(job: Pick<JobInput, "messages">): MediaRef[] {
  return job.messages.flatMap((m) => (m.payload as AgentJobPayload).media ?? []);
}

/** Job event telling the main thread that a tool wrote to the outbox: send now, not at the next poll. */
export const OUTBOX_KICK_EVENT = "talon.outbox.kick";

/** Job event asking the main thread to queue a message into another session (the sessions_send tool). */
export const SESSION_SEND_EVENT = "talon.sessions.send";

export interface SessionSendRequest {
  runId: string;
  agentId: string;
  sessionKey: string;
  text: string;
  fromSessionKey: string;
  /** The sending run's principal: the run it starts has no more rights than its sender. */
  principal: Principal;
}

/** What the main thread passes to every worker (structured-clonable). */
export interface AgentJobOptions {
  /** The raw config (as in the file); validated again here with the same env. */
  rawConfig: Record<string, unknown>;
  env: Record<string, string>;
  paths: TalonPaths;
  storeUrl: string;
  storeAuthToken?: string;
  /** The store's write lock, shared with the main thread (src/store/write_lock.ts). */
  storeWriteLock?: SharedArrayBuffer;
  /**
   * The main bus's count of listeners that want run stream events (`EventBus.streamListeners`): while it
   * is zero, a run's "agent" and "chat" events are not sent to the main thread (nobody would read them).
   */
  runStreamListeners?: SharedArrayBuffer;
  logFile: boolean;
  /** Number of shard workers (they split each provider's maxConcurrent). */
  shards: number;
  /** The main thread's MCP hub channel (src/mcp/rpc.ts), when MCP servers are configured. */
  mcpChannel?: string;
}
