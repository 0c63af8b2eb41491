/**
 * A fake Baileys socket behind the WaSocket port. Tests push messages built with Baileys' own
 * `proto.WebMessageInfo.fromObject`, open/close the connection with Baileys' close codes, and read what
 * the adapter sent.
 */
import { proto } from "@whiskeysockets/baileys";
import type {
  WaConnectionUpdate,
  WaConnector,
  WaMessage,
  WaOutgoing,
  WaSocket,
  WaSocketEvents,
} from "../../src/channels/whatsapp/web_socket.ts";

export const ME = { id: "15550009999:7@s.whatsapp.net", lid: "99887766@lid", name: "Talon" };

export interface FakeWaSocket extends WaSocket {
  sent: { jid: string; content: WaOutgoing; quotedId?: string }[];
  presence: { type: string; jid?: string }[];
  read: string[];
  loggedOut: boolean;
  ended: boolean;
  emit<E extends keyof WaSocketEvents>(event: E, data: WaSocketEvents[E]): void;
}

export interface FakeWa {
  /** Every socket the connector opened, oldest first. */
  sockets: FakeWaSocket[];
  connector: WaConnector;
  /** What each new socket does right after it is created. */
  onOpen: (sock: FakeWaSocket) => void;
  latest(): FakeWaSocket;
  waitSockets(n: number, timeoutMs?: number): Promise<FakeWaSocket>;
  media: Map<string, Uint8Array>;
}

/** A fake connector; by default every socket opens as the linked account ME. */
export function createFakeWa(): FakeWa {
  const fake: FakeWa = {
    sockets: [],
    media: new Map(),
    onOpen: (s) => setTimeout(() => s.emit("connection.update", { connection: "open" })),
    latest: () => fake.sockets.at(-1)!,
    async waitSockets(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (fake.sockets.length < n) {
        if (Date.now() > deadline) {
          throw new Error(`fake wa: expected ${n} sockets, got ${fake.sockets.length}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return fake.sockets[n - 1]!;
    },
    connector: () => {
      const s = createFakeSocket(fake);
      fake.sockets.push(s);
      fake.onOpen(s);
      return Promise.resolve(s);
    },
  };
  return fake;
}

function createFakeSocket(fake: FakeWa): FakeWaSocket {
  const listeners = new Map<string, ((d: unknown) => void)[]>();
  let seq = 0;
  let closed = false;
  const s: FakeWaSocket = {
    sent: [],
    presence: [],
    read: [],
    loggedOut: false,
    ended: false,
    emit(event, data) {
      for (const l of listeners.get(event) ?? []) l(data);
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (d: unknown) => void]);
    },
    user: () => ME,
    sendMessage(jid, content, options) {
      s.sent.push({ jid, content, quotedId: options?.quoted?.key.id ?? undefined });
      return Promise.resolve({ key: { remoteJid: jid, fromMe: true, id: `OUT${++seq}` } });
    },
    sendPresenceUpdate(type, jid) {
      s.presence.push({ type, jid });
      return Promise.resolve();
    },
    readMessages(keys) {
      s.read.push(...keys.map((k) => k.id!));
      return Promise.resolve();
    },
    groupMetadata: (jid) =>
      Promise.resolve({
        id: jid,
        subject: "Team",
        participants: [{ id: "55443322@lid", phoneNumber: "15550003333@s.whatsapp.net" }],
      }),
    downloadMedia(message) {
      const bytes = fake.media.get(message.key.id!);
      return bytes ? Promise.resolve(bytes) : Promise.reject(new Error("media gone"));
    },
    requestPairingCode: () => Promise.resolve("ABCD1234"),
    logout() {
      s.loggedOut = true;
      close({ output: { statusCode: 401 } });
      return Promise.resolve();
    },
    end() {
      s.ended = true;
      close(undefined);
    },
  };
  const close = (error: unknown) => {
    if (closed) return;
    closed = true;
    s.emit(
      "connection.update",
      { connection: "close", lastDisconnect: { error } } satisfies WaConnectionUpdate,
    );
  };
  return s;
}

/** A Baileys Boom-like close error with a status code. */
export function closeWith(sock: FakeWaSocket, statusCode: number): void {
  sock.emit("connection.update", {
    connection: "close",
    lastDisconnect: { error: Object.assign(new Error(`closed ${statusCode}`), { output: { statusCode } }) },
  });
}

/** A message as Baileys delivers it, built with its own protobuf types. */
export function waMessage(o: Record<string, unknown>): WaMessage {
  return proto.WebMessageInfo.fromObject({ messageTimestamp: 1767000000, ...o }) as unknown as WaMessage;
}

/** Delivers messages on a socket as `messages.upsert` of type notify. */
export function deliver(sock: FakeWaSocket, ...messages: WaMessage[]): void {
  sock.emit("messages.upsert", { messages, type: "notify" });
}
