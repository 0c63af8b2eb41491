/**
 * Builds the channel adapters from config and the sink they end in: inbound messages get their
 * ingress/routed milestones and go to the lanes (durable inbox first); replies come back through
 * the outbox (see egress.ts).
 */
import type { Config } from "../config/schema.ts";
import type { TalonPaths } from "../config/paths.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import { newRunId } from "../core/ids.ts";
import type { Principal } from "../core/principal.ts";
import type { InboundMessage } from "../core/types.ts";
import { describePrincipal } from "../security/capabilities.ts";
import { type AccountOwners, principalOfSender } from "../security/principal_of.ts";
import type { Logger } from "../core/logger.ts";
import { type ChannelRegistry, createChannelRegistry } from "../channels/registry.ts";
import { dedupeKey, type InboundSink, type SendTarget } from "../channels/types.ts";
import { createWebchatChannel, type WebchatChannel } from "../channels/webchat.ts";
import type { KvRepo } from "../store/kv.ts";
import type { MilestoneRepo } from "../store/milestones.ts";
import type { PairingRepo } from "../store/pairing.ts";
import type { LaneRuns } from "./lane_runs.ts";
import type { WhatsAppAdapterBaseDeps } from "../channels/whatsapp/shared.ts";
import { whatsappCredentialsDir } from "../config/paths.ts";

export interface ChannelsDeps {
  config: () => Readonly<Config>;
  paths: TalonPaths;
  runs: LaneRuns;
  milestones: MilestoneRepo;
  pairing: PairingRepo;
  kv: KvRepo;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
}

export interface Channels {
  registry: ChannelRegistry;
  webchat: WebchatChannel;
  sink: InboundSink;
}

/**
 * The principal of an admitted channel message: an owner of the account (`owners`, else its `allowFrom`
 * ids), else `user` for a listed or paired DM sender and `group` for a group member. A DM stranger let in
 * by `dmPolicy: open` gets the least trusted kind, `group`.
 */
export function channelPrincipal(
  config: Readonly<Config>,
  inbound: InboundMessage,
  access: { authorised: boolean } | undefined,
): Principal {
  const section =
    (config.channels as Record<string, { accounts?: Record<string, AccountOwners> } | undefined>)[
      inbound.channel
    ];
  const principal = principalOfSender(section?.accounts?.[inbound.accountId], {
    channel: inbound.channel,
    senderId: inbound.sender.id,
    peerKind: inbound.peer.kind,
  });
  if (principal.kind === "user" && !access?.authorised) return { ...principal, kind: "group" };
  return principal;
}

/** The sink every adapter's pipeline ends in. */
export function createLaneSink(
  deps: Pick<ChannelsDeps, "runs" | "milestones" | "logger" | "config"> & {
    typing: (channel: string, accountId: string, target: SendTarget) => (() => void) | undefined;
  },
): InboundSink {
  return {
    async accept(inbound, route, access) {
      const runId = newRunId();
      const principal = channelPrincipal(deps.config(), inbound, access);
      const target: SendTarget = { peer: inbound.peer, threadId: inbound.threadId };
      // Written first, so the timeline starts with them even when a worker picks the run up at once.
      await deps.milestones.add({
        runId,
        sessionKey: route.sessionKey,
        kind: "ingress",
        data: {
          channel: inbound.channel,
          accountId: inbound.accountId,
          sender: inbound.sender,
          peer: inbound.peer,
          messageId: inbound.messageId,
          chars: inbound.text.length,
          media: inbound.media?.length ?? 0,
          principal: describePrincipal(principal),
        },
      });
      await deps.milestones.add({
        runId,
        sessionKey: route.sessionKey,
        kind: "routed",
        data: { agentId: route.agentId, sessionKey: route.sessionKey, matchedBy: route.matchedBy },
      });
      const handle = await deps.runs.start({
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        text: inbound.text,
        ...(inbound.media?.length ? { media: inbound.media } : {}),
        runId,
        dedupeKey: dedupeKey(inbound),
        senderId: `${inbound.channel}:${inbound.sender.id}`,
        principal,
        source: {
          channel: inbound.channel,
          accountId: inbound.accountId,
          peer: inbound.peer,
          threadId: inbound.threadId,
          messageId: inbound.messageId,
          senderId: inbound.sender.id,
        },
      });
      if (handle.duplicate) return { accepted: true, duplicate: true };
      const stopTyping = deps.typing(inbound.channel, inbound.accountId, target);
      if (stopTyping) handle.done.finally(stopTyping).catch(() => {});
      return { accepted: true };
    },
  };
}

/**
 * Creates every configured adapter (not started) plus the web chat channel. The Telegram, Discord and
 * WhatsApp libraries are loaded only when an account of theirs is configured.
 */
export async function createChannels(deps: ChannelsDeps): Promise<Channels> {
  const registry = createChannelRegistry({ logger: deps.logger });
  const sink = createLaneSink({
    ...deps,
    typing: (channel, accountId, target) => registry.get(channel, accountId)?.startTyping(target),
  });
  const config = deps.config();
  const routeConfig = () => deps.config();
  const common = {
    pairing: deps.pairing,
    routeConfig,
    sink,
    clock: deps.clock,
    mediaDir: deps.paths.mediaDir,
  };
  const telegramAccounts = Object.entries(config.channels.telegram?.accounts ?? {});
  const { createTelegramAdapter } = telegramAccounts.length
    ? await import("../channels/telegram/adapter.ts")
    : { createTelegramAdapter: undefined };
  for (const [accountId, account] of telegramAccounts) {
    registry.add(createTelegramAdapter!({
      ...common,
      accountId,
      config: account,
      kv: deps.kv,
      logger: deps.logger.child({ channel: "telegram", accountId }),
    }));
  }
  const discordAccounts = Object.entries(config.channels.discord?.accounts ?? {});
  const { createDiscordAdapter } = discordAccounts.length
    ? await import("../channels/discord/adapter.ts")
    : { createDiscordAdapter: undefined };
  for (const [accountId, account] of discordAccounts) {
    registry.add(createDiscordAdapter!({
      ...common,
      accountId,
      config: account,
      logger: deps.logger.child({ channel: "discord", accountId }),
    }));
  }
  await addWhatsAppAdapters(registry, deps, common);
  const webchat = createWebchatChannel({
    bus: deps.bus,
    pairing: deps.pairing,
    routeConfig,
    sink,
    clock: deps.clock,
    logger: deps.logger.child({ channel: "webchat" }),
  });
  if (config.channels.webchat.enabled) registry.add(webchat);
  return { registry, webchat, sink };
}

/**
 * WhatsApp accounts: `cloud` ones need only fetch; `web` ones load Baileys (a large library) through a
 * dynamic import, so a gateway without a linked WhatsApp pays nothing for it at startup or idle.
 */
async function addWhatsAppAdapters(
  registry: ChannelRegistry,
  deps: ChannelsDeps,
  common: Omit<WhatsAppAdapterBaseDeps, "accountId" | "config" | "logger"> & { clock: Clock },
): Promise<void> {
  const accounts = Object.entries(deps.config().channels.whatsapp?.accounts ?? {});
  if (!accounts.length) return;
  const cloud = accounts.some(([, a]) => a.mode === "cloud")
    ? await import("../channels/whatsapp/cloud_adapter.ts")
    : undefined;
  const web = accounts.some(([, a]) => a.mode === "web")
    ? await import("../channels/whatsapp/web_wiring.ts")
    : undefined;
  for (const [accountId, account] of accounts) {
    const logger = deps.logger.child({ channel: "whatsapp", accountId });
    const base = { ...common, accountId, config: account, logger };
    registry.add(
      account.mode === "cloud" ? cloud!.createWhatsAppCloudAdapter(base) : web!.createWhatsAppWebAdapterFor({
        ...base,
        credentialsDir: whatsappCredentialsDir(deps.paths, accountId),
      }),
    );
  }
}
