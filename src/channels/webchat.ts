/**
 * Web chat as a channel like the others: the Control UI's chat arrives as an InboundMessage with
 * channel "webchat" and peer = the client id, goes through the same pipeline (routing, sink), and
 * replies are published on the EventBus for the gateway to push to that client.
 */
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newId } from "../core/ids.ts";
import type { MediaRef } from "../core/types.ts";
import { chunkText } from "./chunk.ts";
import { type ChannelPipelineDeps, createChannelPipeline, type PipelineOutcome } from "./pipeline.ts";
import { createStatusTracker } from "./status.ts";
import type { ChannelAdapter } from "./types.ts";

/** Bus event carrying a reply to a web chat client. */
export const WEBCHAT_MESSAGE_EVENT = "webchat.message";
/** Bus event carrying the typing state of a web chat client's session. */
export const WEBCHAT_TYPING_EVENT = "webchat.typing";

export interface WebchatMessagePayload {
  channel: "webchat";
  to: string;
  messageId: string;
  text: string;
  media?: MediaRef[];
  replyTo?: string;
}

export interface WebchatInput {
  /** The connected client's id: the peer. */
  clientId: string;
  text: string;
  /** Idempotency key from the client; a new id when absent. */
  messageId?: string;
  senderName?: string;
  media?: MediaRef[];
}

export interface WebchatChannel extends ChannelAdapter {
  /** Called by the gateway's `chat.send` handler. */
  receive(input: WebchatInput): Promise<PipelineOutcome>;
}

export interface WebchatDeps extends Omit<ChannelPipelineDeps, "policy" | "enrich"> {
  bus: EventBus;
  clock?: Clock;
  /** Longest reply piece pushed at once. Default 16,000. */
  maxMessageLength?: number;
}

/**
 * Creates the web chat channel. Its clients are already authenticated by the gateway token, so
 * every client is an authorised sender (commands included).
 */
export function createWebchatChannel(deps: WebchatDeps): WebchatChannel {
  const clock = deps.clock ?? systemClock;
  const max = deps.maxMessageLength ?? 16_000;
  const status = createStatusTracker({ channel: "webchat", accountId: "default", mode: "bus" }, clock);
  const pipeline = createChannelPipeline({
    pairing: deps.pairing,
    routeConfig: deps.routeConfig,
    sink: deps.sink,
    logger: deps.logger,
    policy: { dmPolicy: "open", allowFrom: ["*"], groupPolicy: "disabled", groupRule: () => undefined },
  });
  let running = false;
  const publishTyping = (to: string, active: boolean) =>
    deps.bus.publish({ event: WEBCHAT_TYPING_EVENT, payload: { channel: "webchat", to, active } });

  return {
    channel: "webchat",
    accountId: "default",
    capabilities: { maxMessageLength: max, threads: false, edits: false, media: true },
    start() {
      running = true;
      status.set({ running: true, connected: true });
      return Promise.resolve();
    },
    stop() {
      running = false;
      status.set({ running: false, connected: false });
      return Promise.resolve();
    },
    status: () => status.get(),
    receive(input) {
      if (!running) return Promise.resolve({ status: "dropped", reason: "webchat-stopped" });
      if (!input.clientId) throw new TypeError("webchat: clientId is required");
      status.event();
      return pipeline.handle({
        channel: "webchat",
        accountId: "default",
        peer: { kind: "direct", id: input.clientId },
        sender: { id: input.clientId, name: input.senderName },
        text: input.text,
        media: input.media,
        messageId: input.messageId ?? newId("wc"),
        mentioned: true,
        ts: clock.now(),
      }, (text) => {
        deps.bus.publish({
          event: WEBCHAT_MESSAGE_EVENT,
          payload: { channel: "webchat", to: input.clientId, messageId: newId("wc"), text },
        });
        return Promise.resolve();
      });
    },
    send(target, message) {
      const ids: string[] = [];
      const chunks = chunkText(message.text, max);
      if (chunks.length === 0 && message.media?.length) chunks.push("");
      chunks.forEach((text, i) => {
        const payload: WebchatMessagePayload = {
          channel: "webchat",
          to: target.peer.id,
          messageId: newId("wc"),
          text,
          ...(i === 0 && message.replyTo ? { replyTo: message.replyTo } : {}),
          ...(i === chunks.length - 1 && message.media?.length ? { media: message.media } : {}),
        };
        deps.bus.publish({ event: WEBCHAT_MESSAGE_EVENT, payload });
        ids.push(payload.messageId);
      });
      status.event();
      return Promise.resolve({ messageIds: ids });
    },
    startTyping(target) {
      publishTyping(target.peer.id, true);
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        publishTyping(target.peer.id, false);
      };
    },
  };
}
