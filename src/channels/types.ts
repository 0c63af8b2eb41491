/**
 * The channel adapter interface. Every chat platform (Telegram, Discord, web chat) implements it; the
 * inbound side ends in an `InboundSink` that the integrator wires to the durable inbox and lanes.
 * Channels never import the agent.
 */
import type { InboundMessage, MediaRef, PeerKind } from "../core/types.ts";
import type { Route } from "../routing/resolve_route.ts";

/** What a platform can do; the outbound side uses it to shape replies. */
export interface ChannelCapabilities {
  /** Longest text one platform message may hold. */
  maxMessageLength: number;
  threads: boolean;
  edits: boolean;
  media: boolean;
}

/** Health of one adapter (one account of one channel). */
export interface ChannelStatus {
  channel: string;
  accountId: string;
  /** polling | webhook | gateway | bus */
  mode: string;
  running: boolean;
  connected: boolean;
  /** Epoch ms of the last inbound event or successful platform call. */
  lastEventAt?: number;
  lastError?: string;
  lastErrorAt?: number;
  /** The bot's own name on the platform, once known. */
  botName?: string;
  /** Accounts linked as a device (WhatsApp web): the link state and number, never the QR. */
  link?: { state: ChannelLink["state"]; number?: string };
}

/** Where a device-linked account stands. `qr` and `pairingCode` exist only while linking. */
export interface ChannelLink {
  state: "not-linked" | "linking" | "linked" | "logged-out";
  /** E.164 number of the linked account. */
  number?: string;
  qr?: string;
  pairingCode?: string;
}

/** An adapter whose account is linked as a device by QR or pairing code (WhatsApp web). */
export interface LinkableAdapter extends ChannelAdapter {
  link(): ChannelLink;
  /** Starts linking unless already linked; resolves with the state once it changes or after `waitMs`. */
  login(options?: { phoneNumber?: string; waitMs?: number }): Promise<ChannelLink>;
  /** Waits up to `ms` for the link state to change. */
  linkChanged(ms: number): Promise<ChannelLink>;
  /** Unlinks the device and removes its credentials. */
  logout(): Promise<void>;
}

/** True for adapters that link as a device. */
export function isLinkable(adapter: ChannelAdapter | undefined): adapter is LinkableAdapter {
  const a = adapter as Partial<LinkableAdapter> | undefined;
  return typeof a?.login === "function" && typeof a.logout === "function" && typeof a.link === "function";
}

/** Where a reply goes: a chat (and optionally a thread/topic) on one account. */
export interface SendTarget {
  peer: { kind: PeerKind; id: string };
  threadId?: string;
}

/** A reply. The adapter splits `text` into chunks of at most `maxMessageLength`. */
export interface OutboundMessage {
  text: string;
  media?: MediaRef[];
  /** Platform message id to reply to (first chunk only). */
  replyTo?: string;
}

export interface SendResult {
  /** Platform ids of every message sent, in order. */
  messageIds: string[];
}

/** One account of one channel. */
export interface ChannelAdapter {
  readonly channel: string;
  readonly accountId: string;
  readonly capabilities: ChannelCapabilities;
  /** Connects and starts receiving. Resolves once the adapter runs (not when it stops). */
  start(): Promise<void>;
  /** Stops receiving and releases every resource; safe to call twice. */
  stop(): Promise<void>;
  status(): ChannelStatus;
  send(target: SendTarget, message: OutboundMessage): Promise<SendResult>;
  /** Shows "typing…" until the returned function is called. */
  startTyping(target: SendTarget): () => void;
}

/** What the sink says about a message. A duplicate (same dedupe key) counts as accepted. */
export interface SinkResult {
  accepted: boolean;
  duplicate?: boolean;
}

/**
 * Where the inbound pipeline ends. The integrator wires it to the durable inbox + lanes; `accept`
 * resolves once the message is stored, so the adapter may then acknowledge the platform.
 */
export interface InboundSink {
  /**
   * `access.authorised`: the access policy found the sender listed or paired (false for an open-policy
   * stranger or an unlisted group member); the sink decides the run's principal from it.
   */
  accept(inbound: InboundMessage, route: Route, access?: { authorised: boolean }): Promise<SinkResult>;
}

/** The dedupe key of an inbound message: channel + account + platform message id. */
export function dedupeKey(inbound: Pick<InboundMessage, "channel" | "accountId" | "messageId">): string {
  return `${inbound.channel}:${inbound.accountId}:${inbound.messageId}`;
}

/** The adapter's own error: the platform said no (`api`) or the network failed (`http`). */
export { ChannelError } from "./errors.ts";
