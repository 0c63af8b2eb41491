/**
 * Linking without a running gateway (`talon channels login whatsapp`): a bare connection with the real
 * Baileys connector and no message handling at all, so nothing is answered from the terminal.
 */
import { systemClock } from "../../core/clock.ts";
import { createStatusTracker } from "../status.ts";
import type { ChannelLink } from "../types.ts";
import { createWebConnection, startLinking } from "./web_connection.ts";
import { createBaileysConnector } from "./web_wiring.ts";
import type { WaConnector } from "./web_socket.ts";

export interface LocalLinker {
  start(phoneNumber?: string): Promise<void>;
  /** The link state after the next change (or `ms`), with the last connection error. */
  changed(ms: number): Promise<ChannelLink & { lastError?: string }>;
  stop(): Promise<void>;
}

export function createLocalLinker(
  o: { dir: string; waWebSocketUrl?: string; connect?: WaConnector },
): LocalLinker {
  const status = createStatusTracker({ channel: "whatsapp", accountId: "local", mode: "web" }, systemClock);
  const conn = createWebConnection({
    connect: o.connect ?? createBaileysConnector(),
    dir: o.dir,
    waWebSocketUrl: o.waWebSocketUrl,
    clock: systemClock,
    status,
    onSocket: () => {},
  });
  return {
    start: (phoneNumber) => startLinking(conn, o.dir, phoneNumber),
    async changed(ms) {
      const link = await conn.changed(ms);
      return { ...link, ...(status.get().lastError ? { lastError: status.get().lastError } : {}) };
    },
    stop: () => conn.stop(),
  };
}
