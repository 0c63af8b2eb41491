/**
 * WhatsApp as a linked device (`mode: "web"`, Baileys behind the WaSocket port). Messages go through the
 * standard pipeline; a reconnect that redelivers messages is deduped by message id in the inbox. Replies
 * are chunked and formatted for WhatsApp, with "composing" presence while a run is active.
 */
import { talonCommand } from "../../core/cli_name.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import { chunkText } from "../chunk.ts";
import { ChannelError } from "../errors.ts";
import { createStatusTracker } from "../status.ts";
import type { LinkableAdapter, OutboundMessage, SendTarget } from "../types.ts";
import { readLinkedJid, removeCredentials } from "./auth_store.ts";
import { isGroupJid, jidOf, toE164 } from "./jid.ts";
import { markdownToWhatsApp } from "./format.ts";
import { saveWhatsAppMedia } from "./media.ts";
import { createWhatsAppPipeline, WHATSAPP_CHANNEL, type WhatsAppAdapterBaseDeps } from "./shared.ts";
import { createWebConnection, startLinking } from "./web_connection.ts";
import { toWebInbound, type WebPendingMedia } from "./web_inbound.ts";
import type { WaConnector, WaMessage, WaOutgoing, WaSocket } from "./web_socket.ts";

/** WhatsApp shows "typing…" for about 10 s after each composing update. */
const PRESENCE_REFRESH_MS = 8000;
/** Recent inbound messages kept for quoting replies, and own sent ids kept for self-chat. */
const RECENT = 500;

export interface WebAdapterDeps extends WhatsAppAdapterBaseDeps {
  /** `~/.talon/credentials/whatsapp/<account>`. */
  credentialsDir: string;
  connect: WaConnector;
  clock?: Clock;
  backoff?: { baseMs: number; maxMs: number };
}

/** Links by QR or by a pairing code for a phone number; `logout` unlinks and removes the credentials. */
export interface WhatsAppWebAdapter extends LinkableAdapter {
  readonly mode: "web";
}

/** Creates the adapter of one linked-device account. */
export function createWhatsAppWebAdapter(deps: WebAdapterDeps): WhatsAppWebAdapter {
  const { accountId, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const status = createStatusTracker({ channel: WHATSAPP_CHANNEL, accountId, mode: "web" }, clock);
  const recent = new Map<string, WaMessage>();
  const sentIds = new Set<string>();
  const groupPhones = new Map<string, string>();
  let running = false;
  let queue = Promise.resolve();

  const remember = <T>(map: Map<string, T> | Set<string>, key: string, value?: T) => {
    if (map instanceof Set) map.add(key);
    else map.set(key, value!);
    if (map.size > RECENT) map.delete(map.keys().next().value!);
  };

  const wa = createWhatsAppPipeline<{ msg: WaMessage; media: WebPendingMedia }>(deps, async (p, dir) => {
    if ((p.media.bytes ?? 0) > config.mediaMaxBytes) {
      throw new RangeError(
        `Attachment of ${p.media.bytes} bytes exceeds the ${config.mediaMaxBytes}-byte cap`,
      );
    }
    const sock = conn.socket();
    if (!sock) throw new ChannelError(WHATSAPP_CHANNEL, "http", "WhatsApp is not connected");
    const bytes = await sock.downloadMedia(p.msg);
    if (bytes.length > config.mediaMaxBytes) {
      throw new RangeError(
        `Attachment of ${bytes.length} bytes exceeds the ${config.mediaMaxBytes}-byte cap`,
      );
    }
    return saveWhatsAppMedia(dir, { id: p.msg.key.id!, ...p.media, bytes });
  });

  const handleMessage = async (sock: WaSocket, msg: WaMessage) => {
    const user = sock.user();
    if (!user) return;
    if (msg.key.remoteJid && isGroupJid(msg.key.remoteJid) && msg.key.participant?.endsWith("@lid")) {
      await learnGroup(sock, msg.key.remoteJid);
    }
    const parsed = toWebInbound(msg, {
      accountId,
      me: user,
      selfChat: config.selfChat,
      sentByUs: (id) => sentIds.has(id),
      phoneOf: (lid) => groupPhones.get(lid),
      now: clock.now(),
    });
    if ("skip" in parsed) return;
    status.event();
    const { inbound, media } = parsed;
    remember(recent, inbound.messageId, msg);
    const chat = msg.key.remoteJid!;
    const outcome = await wa.handle(inbound, media.map((m) => ({ msg, media: m })), async (text) => {
      const sent = await sock.sendMessage(chat, { text });
      if (sent?.key.id) remember(sentIds, sent.key.id);
    });
    if (outcome.status === "failed") status.error(new Error(outcome.error));
    if (outcome.status === "accepted" && !outcome.duplicate && config.sendReadReceipts) {
      sock.readMessages([msg.key]).catch((err) =>
        logger?.debug("read receipt failed", { error: describeError(err) })
      );
    }
  };

  /** Resolves LID participants of a group to phone numbers (once per group). */
  const learnGroup = async (sock: WaSocket, jid: string) => {
    if (groupPhones.has(jid)) return;
    groupPhones.set(jid, "");
    try {
      for (const p of (await sock.groupMetadata(jid)).participants) {
        const phone = toE164(p.phoneNumber ?? "") ?? toE164(p.id);
        const lid = p.lid ?? (p.id.endsWith("@lid") ? p.id : undefined);
        if (phone && lid) groupPhones.set(lid, phone);
      }
    } catch (err) {
      logger?.debug("group metadata failed", { error: describeError(err) });
    }
  };

  const conn = createWebConnection({
    connect: deps.connect,
    dir: deps.credentialsDir,
    waWebSocketUrl: config.waWebSocketUrl,
    clock,
    status,
    logger,
    backoff: deps.backoff,
    onSocket(sock) {
      sock.on("messages.upsert", ({ messages, type }) => {
        if (type !== "notify") return;
        // One message at a time, in order; a failure of one never stops the next.
        for (const msg of messages) {
          queue = queue.then(() => handleMessage(sock, msg)).catch((err) => {
            status.error(err);
            logger?.error("WhatsApp message failed", { error: describeError(err) });
          });
        }
      });
    },
  });

  const connected = (): WaSocket => {
    const sock = conn.socket();
    if (!sock || !status.get().connected) {
      throw new ChannelError(WHATSAPP_CHANNEL, "http", `WhatsApp account "${accountId}" is not connected`);
    }
    return sock;
  };

  const sendAll = async (target: SendTarget, message: OutboundMessage): Promise<string[]> => {
    const sock = connected();
    const jid = jidOf(target.peer.id);
    const ids: string[] = [];
    const push = (sent: WaMessage | undefined) => {
      const id = sent?.key.id;
      if (id) (ids.push(id), remember(sentIds, id));
    };
    for (const chunk of chunkText(message.text, config.textChunkLimit)) {
      const quoted = ids.length === 0 && message.replyTo ? recent.get(message.replyTo) : undefined;
      push(await sock.sendMessage(jid, { text: markdownToWhatsApp(chunk) }, quoted ? { quoted } : undefined));
    }
    for (const media of message.media ?? []) push(await sock.sendMessage(jid, await outgoingFile(media)));
    return ids;
  };

  return {
    channel: WHATSAPP_CHANNEL,
    accountId,
    mode: "web",
    capabilities: { maxMessageLength: config.textChunkLimit, threads: false, edits: false, media: true },
    async start() {
      if (running) return;
      running = true;
      status.set({ running: true });
      const linked = await readLinkedJid(deps.credentialsDir);
      if (!linked) {
        conn.setLink({ state: "not-linked" });
        status.set({
          lastError: `WhatsApp is not linked: run \`${talonCommand()} channels login whatsapp\``,
        });
        return;
      }
      conn.setLink({ state: "not-linked", number: toE164(linked) });
      await conn.run({ linking: false });
    },
    async stop() {
      running = false;
      await conn.stop();
      await queue;
      status.set({ running: false, connected: false });
    },
    status: () => {
      const { state, number } = conn.link();
      return { ...status.get(), link: { state, ...(number ? { number } : {}) } };
    },
    async send(target, message) {
      try {
        const ids = await sendAll(target, message);
        status.event();
        return { messageIds: ids };
      } catch (err) {
        status.error(err);
        if (err instanceof ChannelError || err instanceof TypeError) throw err;
        throw new ChannelError(WHATSAPP_CHANNEL, "http", `WhatsApp send failed: ${describeError(err)}`, {
          cause: err,
        });
      }
    },
    startTyping(target) {
      let jid: string;
      try {
        jid = jidOf(target.peer.id);
      } catch {
        return () => {};
      }
      const presence = (type: "composing" | "paused") =>
        conn.socket()?.sendPresenceUpdate(type, jid).catch((err) =>
          logger?.debug("presence failed", { error: describeError(err) })
        );
      presence("composing");
      const id = clock.setInterval(() => presence("composing"), PRESENCE_REFRESH_MS);
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        clock.clearInterval(id);
        presence("paused");
      };
    },
    link: () => conn.link(),
    linkChanged: (ms) => conn.changed(ms),
    async login(options = {}) {
      const current = conn.link();
      if (current.state === "linked" && status.get().connected) return current;
      if (current.state === "linking" && !options.phoneNumber) return current;
      running = true;
      status.set({ running: true });
      await startLinking(conn, deps.credentialsDir, options.phoneNumber);
      return await conn.changed(options.waitMs ?? 5000);
    },
    async logout() {
      const sock = conn.socket();
      if (sock && status.get().connected) {
        await sock.logout().catch((err) =>
          logger?.warn("WhatsApp logout failed", { error: describeError(err) })
        );
      }
      await conn.stop();
      await removeCredentials(deps.credentialsDir);
      conn.setLink({ state: "not-linked" });
      status.set({ connected: false, botName: undefined });
    },
  };
}

async function outgoingFile(media: NonNullable<OutboundMessage["media"]>[number]): Promise<WaOutgoing> {
  const bytes = await Deno.readFile(media.path);
  const name = media.name ?? media.path.split("/").at(-1) ?? "file";
  if (media.kind === "image") return { image: bytes, ...(media.mime ? { mimetype: media.mime } : {}) };
  if (media.kind === "audio") return { audio: bytes, mimetype: media.mime ?? "audio/ogg; codecs=opus" };
  return { document: bytes, fileName: name, mimetype: media.mime ?? "application/octet-stream" };
}
