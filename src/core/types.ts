/** Message and event types shared by every layer. */

export type PeerKind = "direct" | "group" | "channel";

/** A platform message turned into Talon's shape by a channel adapter (DESIGN.md step 1). */
export interface InboundMessage {
  channel: string;
  accountId: string;
  peer: { kind: PeerKind; id: string };
  threadId?: string;
  sender: { id: string; name?: string; username?: string };
  text: string;
  media?: MediaRef[];
  /** The platform's own message id; with channel + account it forms the dedupe key. */
  messageId: string;
  /** Set when the message replies to one of the bot's messages, or mentions it. */
  mentioned?: boolean;
  /** Guild/server id and member roles, where the platform has them. */
  guildId?: string;
  roles?: string[];
  ts: number;
}

export interface MediaRef {
  kind: "image" | "document" | "audio" | "video";
  path: string;
  mime?: string;
  bytes?: number;
  name?: string;
}

/** One milestone of a message's journey (DESIGN.md "One message, end to end"). */
export type MilestoneKind =
  | "ingress"
  | "routed"
  | "queued"
  | "run.start"
  | "model.attempt"
  | "tool.call"
  | "media"
  | "heartbeat"
  | "approval"
  | "run.end"
  | "egress";

/** An event broadcast on the bus and over the gateway WebSocket. */
export interface BusEvent {
  event: string;
  payload: unknown;
  /** Used for per-session subscriptions. */
  sessionKey?: string;
  runId?: string;
}
