/**
 * Production wiring of the web adapter: the WaSocket port backed by Baileys' real `makeWASocket`, with
 * Talon's own credential store. This module is only ever loaded through a dynamic import (when a web
 * account is configured, or by `talon channels login whatsapp`), so Baileys costs nothing otherwise.
 * Baileys' own log lines go to our logger as short messages only — never its objects, which may hold keys.
 */
import {
  BufferJSON,
  downloadMediaMessage,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  makeWASocket,
  proto,
  type WAMessage,
} from "@whiskeysockets/baileys";
import type { Logger } from "../../core/logger.ts";
import { type AuthCodec, openAuthStore } from "./auth_store.ts";
import type { WaConnector, WaSocket } from "./web_socket.ts";
import { createWhatsAppWebAdapter, type WebAdapterDeps, type WhatsAppWebAdapter } from "./web_adapter.ts";

const codec: AuthCodec = {
  initAuthCreds: () => initAuthCreds() as unknown as Record<string, unknown>,
  replacer: BufferJSON.replacer,
  reviver: BufferJSON.reviver,
  appStateSyncKey: (v) => proto.Message.AppStateSyncKeyData.fromObject(v as Record<string, unknown>),
};

/** Baileys' ILogger over ours: warn/error as plain messages, everything chattier dropped. */
function baileysLogger(logger?: Logger) {
  const quiet = () => {};
  const self = {
    level: "warn",
    child: () => self,
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: (_obj: unknown, msg?: string) => logger?.warn(`baileys: ${msg ?? "warning"}`),
    error: (_obj: unknown, msg?: string) => logger?.warn(`baileys: ${msg ?? "error"}`),
  };
  return self;
}

/** A connector that opens real Baileys sockets. */
export function createBaileysConnector(logger?: Logger): WaConnector {
  return async ({ dir, waWebSocketUrl }) => {
    const { state, saveCreds } = await openAuthStore(dir, codec);
    const log = baileysLogger(logger);
    const sock = makeWASocket({
      // deno-lint-ignore no-explicit-any
      auth: { creds: state.creds as any, keys: makeCacheableSignalKeyStore(state.keys as any, log) },
      logger: log,
      browser: ["Talon", "Chrome", "1.0.0"],
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      getMessage: () => Promise.resolve(undefined),
      ...(waWebSocketUrl ? { waWebSocketUrl } : {}),
    });
    sock.ev.on("creds.update", () => {
      saveCreds().catch((err) => logger?.error("Cannot save WhatsApp credentials", { error: String(err) }));
    });
    const port: WaSocket = {
      on: (event, listener) => sock.ev.on(event, listener as never),
      user: () => sock.user ? { id: sock.user.id, lid: sock.user.lid, name: sock.user.name } : undefined,
      sendMessage: (jid, content, options) =>
        sock.sendMessage(
          jid,
          content as never,
          options?.quoted ? { quoted: options.quoted as WAMessage } : {},
        ),
      sendPresenceUpdate: (type, jid) => sock.sendPresenceUpdate(type, jid),
      readMessages: (keys) => sock.readMessages(keys as never),
      groupMetadata: async (jid) => {
        const meta = await sock.groupMetadata(jid);
        return {
          id: meta.id,
          subject: meta.subject,
          participants: meta.participants.map((p) => ({
            id: p.id,
            phoneNumber: p.phoneNumber ?? undefined,
            lid: p.lid ?? undefined,
          })),
        };
      },
      downloadMedia: async (message) =>
        new Uint8Array(
          await downloadMediaMessage(message as WAMessage, "buffer", {}, {
            logger: log,
            reuploadRequest: sock.updateMediaMessage,
          }),
        ),
      requestPairingCode: (phone) => sock.requestPairingCode(phone),
      logout: () => sock.logout(),
      end: () => void sock.end(undefined),
    };
    return port;
  };
}

/** The web adapter with the real Baileys connector. */
export function createWhatsAppWebAdapterFor(deps: Omit<WebAdapterDeps, "connect">): WhatsAppWebAdapter {
  return createWhatsAppWebAdapter({ ...deps, connect: createBaileysConnector(deps.logger) });
}
