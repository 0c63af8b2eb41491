/** Outbound Telegram: chunks to 4,096 characters, HTML with a plain-text fallback, media, typing. */
import { type Api, GrammyError, InputFile } from "grammy";
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { chunkText } from "../chunk.ts";
import { ChannelError } from "../errors.ts";
import type { OutboundMessage, SendResult, SendTarget } from "../types.ts";
import { isParseEntitiesError, markdownToTelegramHtml } from "./format.ts";

export const TELEGRAM_MAX_LENGTH = 4096;

/** Sends a reply: every chunk as HTML, falling back to plain text when Telegram rejects the markup. */
export async function sendTelegram(
  api: Api,
  target: SendTarget,
  message: OutboundMessage,
  logger?: Logger,
): Promise<SendResult> {
  const chatId = target.peer.id;
  const thread = target.threadId ? { message_thread_id: Number(target.threadId) } : {};
  const replyTo = message.replyTo ? Number(message.replyTo.split(":").at(-1)) : undefined;
  const ids: string[] = [];
  let first = true;
  const replyParams = () => {
    const r = first && replyTo
      ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
      : {};
    first = false;
    return r;
  };
  try {
    for (const chunk of chunkText(message.text, TELEGRAM_MAX_LENGTH)) {
      const extra = { ...thread, ...replyParams() };
      let sent;
      try {
        sent = await api.sendMessage(chatId, markdownToTelegramHtml(chunk), { parse_mode: "HTML", ...extra });
      } catch (err) {
        if (!(err instanceof GrammyError && isParseEntitiesError(err.description))) throw err;
        logger?.warn("Telegram rejected the HTML; sending plain text", { chatId });
        sent = await api.sendMessage(chatId, chunk, extra);
      }
      ids.push(`${chatId}:${sent.message_id}`);
    }
    for (const media of message.media ?? []) {
      const file = new InputFile(await Deno.readFile(media.path), media.name ?? media.path.split("/").at(-1));
      const extra = { ...thread, ...replyParams() };
      const sent = media.kind === "image"
        ? await api.sendPhoto(chatId, file, extra)
        : await api.sendDocument(chatId, file, extra);
      ids.push(`${chatId}:${sent.message_id}`);
    }
  } catch (err) {
    throw toChannelError(err);
  }
  return { messageIds: ids };
}

/** Sends the "typing" action now and every 4 s until the returned function is called. */
export function startTelegramTyping(api: Api, target: SendTarget, clock: Clock, logger?: Logger): () => void {
  const thread = target.threadId ? { message_thread_id: Number(target.threadId) } : {};
  const ping = () => {
    api.sendChatAction(target.peer.id, "typing", thread).catch((err) =>
      logger?.debug("typing failed", { error: String(err) })
    );
  };
  ping();
  const id = clock.setInterval(ping, 4000);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clock.clearInterval(id);
  };
}

/** Maps grammY's errors onto ChannelError (api: Telegram said no; http: the network failed). */
export function toChannelError(err: unknown): unknown {
  if (err instanceof ChannelError) return err;
  if (err instanceof GrammyError) {
    return new ChannelError("telegram", "api", `Telegram ${err.method}: ${err.description}`, {
      cause: err,
      status: err.error_code,
      retryAfterMs: err.parameters.retry_after ? err.parameters.retry_after * 1000 : undefined,
    });
  }
  if (err instanceof Error && err.name === "HttpError") {
    return new ChannelError("telegram", "http", `Telegram unreachable: ${err.message}`, { cause: err });
  }
  return err;
}
