import type { Principal } from "../core/principal.ts";

/**
 * Small interfaces the messaging and sessions tools depend on. The integrator passes real
 * implementations (outbox, session store, agent runtime); tests use in-memory fakes.
 */

/** Sends text (and media) to a channel target through the outbox. */
export interface MessageSender {
  send(
    m: { channel: string; to: string; text: string; accountId?: string; media?: string[]; runId?: string },
  ): Promise<{ id: string }>;
}

export interface SessionSummary {
  sessionKey: string;
  agentId: string;
  updatedAt: number;
  title?: string;
  /** The session whose run spawned this one as a sub-agent, when any. */
  spawnedBy?: string;
}

export interface SessionMessage {
  role: "user" | "assistant" | "tool";
  text: string;
  ts: number;
}

/** Sessions as the tools see them. */
export interface SessionsApi {
  list(filter: { agentId?: string; limit: number }): Promise<SessionSummary[]>;
  /** The session whose run spawned `sessionKey` as a sub-agent; undefined for any other session. */
  spawnedBy(sessionKey: string): Promise<string | undefined>;
  history(sessionKey: string, limit: number): Promise<SessionMessage[]>;
  /**
   * Queues a message into another session (as from `fromSessionKey`); the run there has the sender's
   * `principal`. Returns its run id.
   */
  send(
    sessionKey: string,
    text: string,
    fromSessionKey: string,
    principal?: Principal,
  ): Promise<{ runId: string }>;
  /**
   * Runs a sub-agent in `sessionKey` (`agent:<id>:subagent:<uuid>`) with `task`, as `principal` (the
   * parent run's), records `parentSessionKey` as its spawner, and resolves with its final reply, or
   * rejects when it fails.
   */
  spawn(
    o: {
      agentId: string;
      sessionKey: string;
      task: string;
      parentSessionKey: string;
      signal: AbortSignal;
      principal?: Principal;
    },
  ): Promise<{ reply: string; runId: string }>;
}
