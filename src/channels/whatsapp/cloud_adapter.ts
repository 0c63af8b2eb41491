/**
 * WhatsApp through the Business Cloud API (`mode: "cloud"`): messages arrive on the signed webhook and
 * go through the standard pipeline; replies go out through the Graph API, chunked and formatted for
 * WhatsApp. Typing is the Cloud API's typing indicator, which also marks the message read, so it is shown
 * only with `sendReadReceipts`.
 */
import type { Hono } from "hono";
import { type Clock, systemClock } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import { chunkText } from "../chunk.ts";
import { ChannelError } from "../errors.ts";
import { createStatusTracker } from "../status.ts";
import type { ChannelAdapter, SendTarget } from "../types.ts";
import { type CloudApi, type CloudRecipient, createCloudApi } from "./cloud_api.ts";
import { cloudMessages, type CloudPendingMedia, type CloudWebhookPayload } from "./cloud_inbound.ts";
import { createCloudWebhook } from "./cloud_webhook.ts";
import { markdownToWhatsApp } from "./format.ts";
import { saveWhatsAppMedia } from "./media.ts";
import { createWhatsAppPipeline, WHATSAPP_CHANNEL, type WhatsAppAdapterBaseDeps } from "./shared.ts";

/** Typing indicators last 25 s on WhatsApp; refreshed a little sooner while a run is active. */
const TYPING_REFRESH_MS = 20_000;

export interface CloudAdapterDeps extends WhatsAppAdapterBaseDeps {
  clock?: Clock;
  fetch?: typeof fetch;
}

export interface WhatsAppCloudAdapter extends ChannelAdapter {
  /** Mount with `app.route("/whatsapp/<accountId>", adapter.webhook)`. */
  readonly webhook: Hono;
  readonly mode: "cloud";
}

/** Creates the adapter of one Cloud API account. Throws when the account lacks its cloud settings. */
export function createWhatsAppCloudAdapter(deps: CloudAdapterDeps): WhatsAppCloudAdapter {
  const { accountId, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  if (!config.phoneNumberId || !config.accessToken || !config.appSecret || !config.verifyToken) {
    throw new ChannelError(
      WHATSAPP_CHANNEL,
      "api",
      `WhatsApp account "${accountId}": cloud mode needs phoneNumberId, accessToken, appSecret and verifyToken`,
    );
  }
  const api: CloudApi = createCloudApi({
    root: config.graphApiRoot,
    phoneNumberId: config.phoneNumberId,
    accessToken: config.accessToken,
    fetch: deps.fetch,
  });
  const status = createStatusTracker({ channel: WHATSAPP_CHANNEL, accountId, mode: "webhook" }, clock);
  /** The last inbound message per chat: the Cloud API's typing indicator hangs off a message id. */
  const lastInbound = new Map<string, string>();
  let running = false;

  const wa = createWhatsAppPipeline<CloudPendingMedia>(deps, async (p, dir) => {
    const { bytes, mime } = await api.downloadMedia(p.mediaId, config.mediaMaxBytes);
    return saveWhatsAppMedia(dir, { id: p.mediaId, kind: p.kind, mime: mime ?? p.mime, name: p.name, bytes });
  });

  const deliver = async (payload: CloudWebhookPayload): Promise<boolean> => {
    if (!running) return false;
    let stored = true;
    for (const { inbound, media } of cloudMessages(payload, accountId, config.phoneNumberId!, clock.now())) {
      status.event();
      const to = recipientOf(inbound.peer);
      const outcome = await wa.handle(inbound, media, async (text) => {
        await api.sendText(to, text);
      });
      if (outcome.status === "failed" && outcome.retryable) {
        status.error(new Error(outcome.error));
        stored = false;
        continue;
      }
      if (outcome.status === "accepted" && !outcome.duplicate) {
        lastInbound.set(inbound.peer.id, inbound.messageId);
        if (config.sendReadReceipts) {
          api.markRead(inbound.messageId, false).catch((err) =>
            logger?.debug("read receipt failed", { error: describeError(err) })
          );
        }
      }
    }
    return stored;
  };

  const webhook = createCloudWebhook({
    accountId,
    appSecret: config.appSecret,
    verifyToken: config.verifyToken,
    deliver,
    logger,
  });

  return {
    channel: WHATSAPP_CHANNEL,
    accountId,
    mode: "cloud",
    capabilities: { maxMessageLength: config.textChunkLimit, threads: false, edits: false, media: true },
    webhook,
    start() {
      running = true;
      status.set({ running: true, connected: true, botName: `phone number id ${config.phoneNumberId}` });
      return Promise.resolve();
    },
    stop() {
      running = false;
      status.set({ running: false, connected: false });
      return Promise.resolve();
    },
    status: () => status.get(),
    async send(target, message) {
      const to = recipientOf(target.peer);
      const ids: string[] = [];
      try {
        for (const chunk of chunkText(message.text, config.textChunkLimit)) {
          if (!chunk.trim()) continue;
          const replyTo = ids.length === 0 ? message.replyTo : undefined;
          ids.push(await api.sendText(to, markdownToWhatsApp(chunk), replyTo));
        }
        for (const media of message.media ?? []) ids.push(await api.sendMedia(to, media));
      } catch (err) {
        status.error(err);
        throw err;
      }
      status.event();
      return { messageIds: ids };
    },
    startTyping(target: SendTarget) {
      const messageId = lastInbound.get(target.peer.id);
      if (!config.sendReadReceipts || !messageId) return () => {};
      const ping = () =>
        api.markRead(messageId, true).catch((err) =>
          logger?.debug("typing failed", { error: describeError(err) })
        );
      ping();
      const id = clock.setInterval(ping, TYPING_REFRESH_MS);
      return () => clock.clearInterval(id);
    },
  };
}

function recipientOf(peer: SendTarget["peer"]): CloudRecipient {
  return peer.kind === "direct"
    ? { kind: "direct", to: peer.id.replace(/^\+/, "") }
    : { kind: "group", to: peer.id };
}
