/**
 * The Discord adapter (discord.js v14): DMs, guild text channels and threads, mention gating, allowlists
 * by guild/channel/role, replies chunked to 2,000 characters, typing, attachments. discord.js reconnects
 * and RESUMEs the gateway session itself; the adapter tracks it in its status.
 */
import { Client, Events, GatewayIntentBits, Partials, Routes } from "discord.js";
import { type Clock, systemClock } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import type { DiscordAccountConfig } from "../../config/sections/channels.ts";
import { discordAccessPolicy } from "../account_policy.ts";
import { chunkText } from "../chunk.ts";
import { ChannelError } from "../errors.ts";
import {
  type ChannelPipelineDeps,
  createChannelPipeline,
  type PipelineOutcome,
  type PipelineStep,
} from "../pipeline.ts";
import { createStatusTracker } from "../status.ts";
import type { ChannelAdapter, SendTarget } from "../types.ts";
import { discordAttachments, discordToInbound } from "./inbound.ts";

export const DISCORD_MAX_LENGTH = 2000;

export interface DiscordAdapterDeps extends Omit<ChannelPipelineDeps, "policy" | "enrich"> {
  accountId: string;
  config: DiscordAccountConfig;
  /** `<home>/media`; files go to `<mediaDir>/discord/<accountId>/`. */
  mediaDir: string;
  /** Attachment size cap. Default 20 MB. */
  mediaMaxBytes?: number;
  clock?: Clock;
}

export interface DiscordAdapter extends ChannelAdapter {
  /** Resolves once the message was handled (for tests and diagnostics). */
  onHandled(listener: (outcome: PipelineOutcome) => void): () => void;
}

/** Creates the adapter of one Discord bot account. */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const { accountId, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const maxBytes = deps.mediaMaxBytes ?? 20 * 1024 * 1024;
  const status = createStatusTracker({ channel: "discord", accountId, mode: "gateway" }, clock);
  const dmChannels = new Map<string, string>();
  const handled = new Set<(o: PipelineOutcome) => void>();
  const attachments = new Map<string, ReturnType<typeof discordAttachments>>();
  let client: Client | undefined;

  const mediaStep: PipelineStep = async (ctx, next) => {
    const media = [];
    for (const a of attachments.get(ctx.inbound.messageId) ?? []) {
      try {
        if (a.bytes > maxBytes) {
          throw new RangeError(`attachment of ${a.bytes} bytes exceeds the ${maxBytes}-byte cap`);
        }
        const res = await fetch(a.url);
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (!res.ok || bytes.length > maxBytes) {
          throw new RangeError(`attachment download failed (${res.status})`);
        }
        const dir = `${deps.mediaDir}/discord/${accountId}`;
        await Deno.mkdir(dir, { recursive: true });
        const path = `${dir}/${a.id}-${a.name.replace(/[^\w.-]/g, "_")}`;
        await Deno.writeFile(path, bytes);
        media.push({ kind: a.kind, path, mime: a.mime, bytes: bytes.length, name: a.name });
      } catch (err) {
        logger?.warn("Attachment skipped", { accountId, error: describeError(err) });
      }
    }
    if (media.length) ctx.inbound = { ...ctx.inbound, media };
    await next();
  };
  const pipeline = createChannelPipeline({
    pairing: deps.pairing,
    routeConfig: deps.routeConfig,
    sink: deps.sink,
    logger,
    policy: discordAccessPolicy(config),
    enrich: [mediaStep],
  });

  const channelFor = async (target: SendTarget): Promise<string> => {
    if (target.threadId) return target.threadId;
    if (target.peer.kind !== "direct") return target.peer.id;
    const known = dmChannels.get(target.peer.id);
    if (known) return known;
    const dm = await rest().post(Routes.userChannels(), { body: { recipient_id: target.peer.id } }) as {
      id: string;
    };
    dmChannels.set(target.peer.id, dm.id);
    return dm.id;
  };
  const rest = () => {
    if (!client) throw new ChannelError("discord", "http", `Discord account "${accountId}" is not started`);
    return client.rest;
  };

  let inOrder: Promise<void> = Promise.resolve();
  const onMessage = async (message: Parameters<Parameters<Client["on"]>[1]>[0]) => {
    try {
      const me = client?.user?.id;
      if (!me) return;
      const inbound = discordToInbound(message as never, accountId, me);
      if (!inbound) return;
      status.event();
      if (inbound.peer.kind === "direct") {
        dmChannels.set(inbound.peer.id, (message as { channelId: string }).channelId);
      }
      const files = discordAttachments(message as never);
      if (files.length) attachments.set(inbound.messageId, files);
      const outcome = await pipeline.handle(inbound, async (text) => {
        await rest().post(Routes.channelMessages((message as { channelId: string }).channelId), {
          body: { content: text, allowed_mentions: { parse: [] } },
        });
      });
      attachments.delete(inbound.messageId);
      for (const l of handled) l(outcome);
    } catch (err) {
      status.error(err);
      logger?.error("Discord message failed", { accountId, error: describeError(err) });
    }
  };

  return {
    channel: "discord",
    accountId,
    capabilities: { maxMessageLength: DISCORD_MAX_LENGTH, threads: true, edits: true, media: true },
    async start() {
      if (client) return;
      const c = new Client({
        intents: [
          GatewayIntentBits.Guilds,
          GatewayIntentBits.GuildMessages,
          GatewayIntentBits.MessageContent,
          GatewayIntentBits.DirectMessages,
        ],
        partials: [Partials.Channel, Partials.Message],
        rest: {
          ...(config.apiRoot ? { api: config.apiRoot } : {}),
          hashSweepInterval: 0,
          handlerSweepInterval: 0,
        },
      });
      client = c;
      // One message at a time, in the order Discord delivered them: the inbox (and so the lanes) see
      // a chat's messages in order, as with Telegram's sequential polling.
      c.on(Events.MessageCreate, (m) => {
        inOrder = inOrder.then(() => onMessage(m as never));
      });
      c.on(Events.ShardDisconnect, () => status.set({ connected: false }));
      c.on(Events.ShardReconnecting, () => status.set({ connected: false }));
      c.on(Events.ShardResume, () => status.set({ connected: true, lastEventAt: clock.now() }));
      c.on(Events.ShardReady, () => status.set({ connected: true }));
      c.on(Events.ShardError, (err) => status.error(err));
      c.on(Events.Error, (err) => status.error(err));
      status.set({ running: true });
      const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
      try {
        await c.login(config.botToken);
        await ready;
      } catch (err) {
        status.error(err);
        status.set({ running: false });
        client = undefined;
        await c.destroy();
        throw new ChannelError("discord", "http", `Discord login failed: ${describeError(err)}`, {
          cause: err,
        });
      }
      status.set({ connected: true, botName: c.user?.username });
    },
    async stop() {
      const c = client;
      client = undefined;
      if (c) await c.destroy();
      await inOrder;
      status.set({ running: false, connected: false });
    },
    status: () => status.get(),
    async send(target, message) {
      const channelId = await channelFor(target);
      const ids: string[] = [];
      try {
        for (const chunk of chunkText(message.text, DISCORD_MAX_LENGTH)) {
          const body: Record<string, unknown> = { content: chunk, allowed_mentions: { parse: [] } };
          if (ids.length === 0 && message.replyTo) {
            body.message_reference = { message_id: message.replyTo, fail_if_not_exists: false };
          }
          const sent = await rest().post(Routes.channelMessages(channelId), { body }) as { id: string };
          ids.push(sent.id);
        }
        for (const media of message.media ?? []) {
          const name = media.name ?? media.path.split("/").at(-1) ?? "file";
          const sent = await rest().post(Routes.channelMessages(channelId), {
            body: { allowed_mentions: { parse: [] } },
            files: [{ name, data: await Deno.readFile(media.path) }],
          }) as { id: string };
          ids.push(sent.id);
        }
      } catch (err) {
        if (err instanceof ChannelError) throw err;
        throw new ChannelError("discord", "api", `Discord send failed: ${describeError(err)}`, {
          cause: err,
        });
      }
      status.event();
      return { messageIds: ids };
    },
    startTyping(target) {
      let stopped = false;
      let id: number | undefined;
      const ping = () => {
        if (stopped) return;
        channelFor(target)
          .then((ch) => rest().post(Routes.channelTyping(ch)))
          .catch((err) => logger?.debug("typing failed", { error: describeError(err) }));
      };
      ping();
      id = clock.setInterval(ping, 8000);
      return () => {
        stopped = true;
        if (id !== undefined) clock.clearInterval(id);
        id = undefined;
      };
    },
    onHandled(listener) {
      handled.add(listener);
      return () => handled.delete(listener);
    },
  };
}
