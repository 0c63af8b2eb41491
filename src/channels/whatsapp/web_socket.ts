/**
 * The narrow port between the web adapter and Baileys: the few socket events and calls the adapter uses.
 * Production wires the real `makeWASocket` behind it (web_wiring.ts); tests drive the adapter with a fake
 * that emits messages built with Baileys' own `proto` types. Shapes follow Baileys 7.
 */

/** A message key; `remoteJidAlt` / `participantAlt` carry the phone-number JID next to a LID. */
export interface WaMessageKey {
  remoteJid?: string | null;
  fromMe?: boolean | null;
  id?: string | null;
  participant?: string | null;
  remoteJidAlt?: string | null;
  participantAlt?: string | null;
}

/** Protobuf longs arrive as numbers or Long objects. */
export type WaLong = number | string | { toNumber(): number } | null | undefined;

export interface WaContextInfo {
  mentionedJid?: string[] | null;
  participant?: string | null;
  stanzaId?: string | null;
}

interface WaMediaContent {
  caption?: string | null;
  mimetype?: string | null;
  fileLength?: WaLong;
  fileName?: string | null;
  ptt?: boolean | null;
  contextInfo?: WaContextInfo | null;
}

/** The parts of `proto.IMessage` the adapter reads. */
export interface WaContent {
  conversation?: string | null;
  extendedTextMessage?: { text?: string | null; contextInfo?: WaContextInfo | null } | null;
  imageMessage?: WaMediaContent | null;
  videoMessage?: WaMediaContent | null;
  audioMessage?: WaMediaContent | null;
  documentMessage?: WaMediaContent | null;
  stickerMessage?: WaMediaContent | null;
  ephemeralMessage?: { message?: WaContent | null } | null;
  viewOnceMessage?: { message?: WaContent | null } | null;
  viewOnceMessageV2?: { message?: WaContent | null } | null;
  documentWithCaptionMessage?: { message?: WaContent | null } | null;
}

/** The parts of `proto.IWebMessageInfo` the adapter reads. */
export interface WaMessage {
  key: WaMessageKey;
  message?: WaContent | null;
  messageTimestamp?: WaLong;
  pushName?: string | null;
}

/** `connection.update` as Baileys emits it. `lastDisconnect.error` is a Boom with `output.statusCode`. */
export interface WaConnectionUpdate {
  connection?: "open" | "connecting" | "close";
  lastDisconnect?: { error?: unknown };
  qr?: string;
  isNewLogin?: boolean;
}

export interface WaSocketEvents {
  "connection.update": WaConnectionUpdate;
  "creds.update": unknown;
  "messages.upsert": { messages: WaMessage[]; type: "notify" | "append" };
}

/** What the adapter sends: text (optionally mentioning), or one file. */
export type WaOutgoing =
  | { text: string }
  | { image: Uint8Array; caption?: string; mimetype?: string }
  | { audio: Uint8Array; mimetype?: string }
  | { document: Uint8Array; fileName: string; mimetype: string; caption?: string };

export interface WaGroupMetadata {
  id: string;
  subject?: string;
  participants: { id: string; phoneNumber?: string; lid?: string }[];
}

/** A connected (or connecting) socket. */
export interface WaSocket {
  on<E extends keyof WaSocketEvents>(event: E, listener: (data: WaSocketEvents[E]) => void): void;
  /** The linked account once known: `id` is its phone-number JID, `lid` its privacy id. */
  user(): { id: string; lid?: string; name?: string } | undefined;
  sendMessage(
    jid: string,
    content: WaOutgoing,
    options?: { quoted?: WaMessage },
  ): Promise<WaMessage | undefined>;
  sendPresenceUpdate(type: "composing" | "paused" | "available", jid?: string): Promise<void>;
  readMessages(keys: WaMessageKey[]): Promise<void>;
  groupMetadata(jid: string): Promise<WaGroupMetadata>;
  /** Downloads and decrypts a message's media. */
  downloadMedia(message: WaMessage): Promise<Uint8Array>;
  /** Asks WhatsApp for an 8-character code to link by phone number instead of QR. */
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** Unlinks this device from the phone. */
  logout(): Promise<void>;
  /** Closes the socket without unlinking. */
  end(): void;
}

/** Opens a socket with the credentials under `dir` (created empty when missing). */
export type WaConnector = (options: { dir: string; waWebSocketUrl?: string }) => Promise<WaSocket>;

/** Baileys' DisconnectReason codes the adapter acts on. */
export const WA_DISCONNECT = {
  loggedOut: 401,
  forbidden: 403,
  timedOut: 408,
  connectionReplaced: 440,
  badSession: 500,
  restartRequired: 515,
} as const;

/** The status code of a Baileys close reason (a Boom's `output.statusCode`), if any. */
export function disconnectCode(error: unknown): number | undefined {
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  return typeof output?.statusCode === "number" ? output.statusCode : undefined;
}

/** A Long / number / string as a number. */
export function longToNumber(value: WaLong): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = typeof value === "object" ? value.toNumber() : Number(value);
  return Number.isFinite(n) ? n : undefined;
}
