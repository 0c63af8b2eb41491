/**
 * The Telegram adapter (grammY). Long polling by default, with the update offset stored in kv only
 * after the sink accepted the update, so a restart neither loses nor re-processes updates; or webhook
 * mode, a Hono sub-app that refuses requests without the secret token.
 */
import { Hono } from "hono";
import type { Api } from "grammy";
import { type Clock, sleep, systemClock } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import type { TelegramAccountConfig } from "../../config/sections/channels.ts";
import type { KvRepo } from "../../store/kv.ts";
import { telegramAccessPolicy } from "../account_policy.ts";
import { ChannelError } from "../errors.ts";
import {
  type ChannelPipelineDeps,
  createChannelPipeline,
  type PipelineOutcome,
  type PipelineStep,
} from "../pipeline.ts";
import { createStatusTracker } from "../status.ts";
import type { ChannelAdapter } from "../types.ts";
import { createTelegramApi } from "./api.ts";
import { type BotIdentity, filesOf, messageOf, type PendingFile, toInbound, type Update } from "./inbound.ts";
import { downloadTelegramFile } from "./media.ts";
import { sendTelegram, startTelegramTyping, TELEGRAM_MAX_LENGTH } from "./send.ts";

export const DEFAULT_TELEGRAM_API_ROOT = "https://api.telegram.org";

export interface TelegramAdapterDeps extends Omit<ChannelPipelineDeps, "policy" | "enrich"> {
  accountId: string;
  config: TelegramAccountConfig;
  kv: KvRepo;
  /** `<home>/media`; files go to `<mediaDir>/telegram/<accountId>/`. */
  mediaDir: string;
  clock?: Clock;
  /** Long-poll timeout in seconds. Default 30. */
  pollTimeoutSec?: number;
  /** Backoff base for API retries and poll failures. Default 500 ms. */
  backoffMs?: number;
}

export interface TelegramAdapter extends ChannelAdapter {
  /** Webhook mode: mount with `app.route("/telegram/<accountId>", adapter.webhook)`. */
  readonly webhook: Hono;
  /** Runs one update through the pipeline (used by polling and the webhook). */
  handleUpdate(update: Update): Promise<PipelineOutcome>;
  readonly api: Api;
}

/** kv key of an account's next update offset. */
export function telegramOffsetKey(accountId: string): string {
  return `channels:telegram:${accountId}:offset`;
}

/** Creates the adapter of one Telegram account. */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { accountId, config, kv, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const apiRoot = (config.apiRoot ?? DEFAULT_TELEGRAM_API_ROOT).replace(/\/+$/, "");
  const backoffMs = deps.backoffMs ?? 500;
  const api = createTelegramApi({ token: config.botToken, apiRoot, clock, logger, backoffMs });
  const status = createStatusTracker({ channel: "telegram", accountId, mode: config.mode }, clock);
  const pendingFiles = new Map<string, PendingFile[]>();
  let bot: BotIdentity | undefined;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  const mediaStep: PipelineStep = async (ctx, next) => {
    const files = pendingFiles.get(ctx.inbound.messageId) ?? [];
    const media = [];
    for (const file of files) {
      try {
        media.push(
          await downloadTelegramFile(file, {
            api,
            token: config.botToken,
            apiRoot,
            dir: `${deps.mediaDir}/telegram/${accountId}`,
            maxBytes: config.mediaMaxBytes,
            signal: abort?.signal,
          }),
        );
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
    policy: telegramAccessPolicy(config),
    enrich: [mediaStep],
  });

  const ensureMe = async (): Promise<BotIdentity> => {
    if (bot) return bot;
    const me = await api.getMe();
    bot = { id: me.id, username: me.username };
    status.set({ botName: `@${me.username}` });
    return bot;
  };

  const handleUpdate = async (update: Update): Promise<PipelineOutcome> => {
    const msg = messageOf(update);
    if (!msg) return { status: "dropped", reason: "unsupported-update" };
    status.event();
    let inbound;
    try {
      inbound = toInbound(msg, accountId, await ensureMe());
    } catch (err) {
      status.error(err);
      return { status: "failed", retryable: true, error: describeError(err) };
    }
    const files = filesOf(msg, config.mediaMaxBytes);
    if (files.length) pendingFiles.set(inbound.messageId, files);
    try {
      const thread = inbound.threadId ? { message_thread_id: Number(inbound.threadId) } : {};
      return await pipeline.handle(inbound, async (text) => {
        await api.sendMessage(msg.chat.id, text, thread);
      });
    } finally {
      pendingFiles.delete(inbound.messageId);
    }
  };

  const poll = async (signal: AbortSignal) => {
    const key = telegramOffsetKey(accountId);
    let offset = (await kv.get<number>(key)) ?? 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        // "connected" means the last getUpdates succeeded. After a start or a failure the first call
        // does not long-poll, so the status turns connected at once rather than after the poll timeout.
        const connected = status.get().connected;
        const updates = await api.getUpdates(
          { offset, timeout: connected ? deps.pollTimeoutSec ?? 30 : 0, allowed_updates: ["message"] },
          signal as never,
        );
        status.set({ connected: true });
        let retry = false;
        for (const update of updates) {
          const outcome = await handleUpdate(update);
          if (outcome.status === "failed" && outcome.retryable) {
            // Not stored: the update stays unconfirmed and is fetched again after a pause.
            status.error(new Error(outcome.error));
            retry = true;
            break;
          }
          offset = update.update_id + 1;
          await kv.set(key, offset);
        }
        failures = retry ? failures + 1 : 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        status.error(err);
        status.set({ connected: false });
        logger?.warn("Telegram polling failed", { accountId, error: describeError(err) });
      }
      if (failures > 0) {
        await sleep(Math.min(backoffMs * 2 ** (failures - 1), 30_000), signal, clock).catch(() => {});
      }
    }
  };

  const webhook = new Hono();
  webhook.post("/", async (c) => {
    const given = c.req.header("X-Telegram-Bot-Api-Secret-Token");
    if (!config.webhookSecret || !given || !constantTimeEqual(given, config.webhookSecret)) {
      logger?.warn("Telegram webhook refused: bad secret token", { accountId });
      return c.json({ ok: false, error: "unauthorized" }, 401);
    }
    let update: Update;
    try {
      update = await c.req.json<Update>();
    } catch {
      return c.json({ ok: false, error: "invalid JSON" }, 400);
    }
    if (typeof update?.update_id !== "number") return c.json({ ok: false, error: "not an update" }, 400);
    const outcome = await handleUpdate(update);
    // A 5xx makes Telegram deliver the update again later.
    if (outcome.status === "failed" && outcome.retryable) return c.json({ ok: false, error: "retry" }, 503);
    return c.json({ ok: true });
  });

  return {
    channel: "telegram",
    accountId,
    capabilities: { maxMessageLength: TELEGRAM_MAX_LENGTH, threads: true, edits: true, media: true },
    api,
    webhook,
    handleUpdate,
    async start() {
      if (abort) return;
      if (config.mode === "webhook" && !config.webhookSecret) {
        throw new ChannelError(
          "telegram",
          "api",
          `Telegram account "${accountId}": webhook mode needs webhookSecret`,
        );
      }
      abort = new AbortController();
      status.set({ running: true });
      try {
        await ensureMe();
        if (config.mode === "webhook") {
          if (config.webhookUrl) {
            await api.setWebhook(config.webhookUrl, {
              secret_token: config.webhookSecret,
              allowed_updates: ["message"],
            });
          }
          status.set({ connected: true });
          return;
        }
        await api.deleteWebhook();
      } catch (err) {
        status.error(err);
        status.set({ running: false });
        abort = undefined;
        throw err;
      }
      loop = poll(abort.signal);
    },
    async stop() {
      abort?.abort();
      await loop;
      loop = undefined;
      abort = undefined;
      status.set({ running: false, connected: false });
    },
    status: () => status.get(),
    send: (target, message) => sendTelegram(api, target, message, logger).then((r) => (status.event(), r)),
    startTyping: (target) => startTelegramTyping(api, target, clock, logger),
  };
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i % x.length] ?? 0) ^ (y[i % y.length] ?? 0);
  }
  return diff === 0;
}
