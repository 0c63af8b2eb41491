/**
 * What both WhatsApp modes share: the standard channel pipeline with the WhatsApp access policy, plus a
 * media step that downloads attachments only for admitted messages (size-capped, into the media dir).
 */
import { describeError } from "../../core/errors.ts";
import type { MediaRef } from "../../core/types.ts";
import type { WhatsAppAccountConfig } from "../../config/sections/channels.ts";
import { whatsappAccessPolicy } from "../account_policy.ts";
import {
  type ChannelPipelineDeps,
  createChannelPipeline,
  type Pipeline,
  type PipelineStep,
} from "../pipeline.ts";

export const WHATSAPP_CHANNEL = "whatsapp";

export interface WhatsAppAdapterBaseDeps extends Omit<ChannelPipelineDeps, "policy" | "enrich"> {
  accountId: string;
  config: WhatsAppAccountConfig;
  /** `<home>/media`; files go to `<mediaDir>/whatsapp/<accountId>/`. */
  mediaDir: string;
}

/** A pipeline plus the per-message list of attachments its media step fetches. */
export interface WhatsAppPipeline<P> {
  pipeline: Pipeline;
  /** Runs one message, with the attachments to fetch if it is admitted. */
  handle(
    inbound: Parameters<Pipeline["handle"]>[0],
    pending: P[],
    reply: (text: string) => Promise<void>,
  ): ReturnType<Pipeline["handle"]>;
}

/** Builds the pipeline; `download` fetches one pending attachment and returns where it was stored. */
export function createWhatsAppPipeline<P>(
  deps: WhatsAppAdapterBaseDeps,
  download: (pending: P, dir: string) => Promise<MediaRef>,
): WhatsAppPipeline<P> {
  const pendingByMessage = new Map<string, P[]>();
  const dir = `${deps.mediaDir}/whatsapp/${deps.accountId}`;
  const mediaStep: PipelineStep = async (ctx, next) => {
    const media: MediaRef[] = [];
    for (const p of pendingByMessage.get(ctx.inbound.messageId) ?? []) {
      try {
        media.push(await download(p, dir));
      } catch (err) {
        deps.logger?.warn("Attachment skipped", { accountId: deps.accountId, error: describeError(err) });
      }
    }
    if (media.length) ctx.inbound = { ...ctx.inbound, media };
    await next();
  };
  const pipeline = createChannelPipeline({
    pairing: deps.pairing,
    routeConfig: deps.routeConfig,
    sink: deps.sink,
    logger: deps.logger,
    policy: whatsappAccessPolicy(deps.config),
    enrich: [mediaStep],
  });
  return {
    pipeline,
    async handle(inbound, pending, reply) {
      if (pending.length) pendingByMessage.set(inbound.messageId, pending);
      try {
        return await pipeline.handle(inbound, reply);
      } finally {
        pendingByMessage.delete(inbound.messageId);
      }
    },
  };
}
