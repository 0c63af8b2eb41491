/**
 * The life of a linked-device connection: open a socket, follow `connection.update`, reconnect with
 * backoff on every close except "logged out" (then the account needs a re-link), and run the link flow
 * (QR, or a pairing code by phone number) when asked to. Knows nothing about messages.
 */
import { talonCommand } from "../../core/cli_name.ts";
import { type Clock, sleep } from "../../core/clock.ts";
import { describeError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { StatusTracker } from "../status.ts";
import type { ChannelLink } from "../types.ts";
import { readLinkedJid, removeCredentials } from "./auth_store.ts";
import { toE164 } from "./jid.ts";
import { disconnectCode, WA_DISCONNECT, type WaConnector, type WaSocket } from "./web_socket.ts";

/** What `channels.login` and the Control UI show. `qr` and `pairingCode` exist only while linking. */
export type LinkInfo = ChannelLink;

export interface WebConnectionDeps {
  connect: WaConnector;
  dir: string;
  waWebSocketUrl?: string;
  clock: Clock;
  status: StatusTracker;
  logger?: Logger;
  /** Reconnect backoff: baseMs × 2^(failures-1), at most maxMs. Default 1 s … 60 s. */
  backoff?: { baseMs: number; maxMs: number };
  /** Called with every new socket before it connects, to attach message listeners. */
  onSocket(sock: WaSocket): void;
}

export interface WebConnection {
  /** Connects (linking when `linking`); resolves once the first socket exists. */
  run(options: { linking: boolean; phoneNumber?: string }): Promise<void>;
  stop(): Promise<void>;
  socket(): WaSocket | undefined;
  link(): LinkInfo;
  setLink(info: LinkInfo): void;
  /** Resolves when the link state next changes (or after `ms`). */
  changed(ms: number): Promise<LinkInfo>;
}

export function createWebConnection(deps: WebConnectionDeps): WebConnection {
  const { clock, status, logger } = deps;
  const backoff = deps.backoff ?? { baseMs: 1000, maxMs: 60_000 };
  let link: LinkInfo = { state: "not-linked" };
  let sock: WaSocket | undefined;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;
  const waiters = new Set<() => void>();
  const setLink = (next: LinkInfo) => {
    link = next;
    for (const w of [...waiters]) w();
  };

  /** One socket's life: resolves with how it ended. */
  const once = (linking: boolean, phoneNumber: string | undefined, signal: AbortSignal) =>
    new Promise<{ code?: number; opened: boolean; error?: unknown; unlinked?: boolean }>(
      (resolve, reject) => {
        let opened = false;
        let askedCode = false;
        deps.connect({ dir: deps.dir, waWebSocketUrl: deps.waWebSocketUrl }).then((s) => {
          sock = s;
          if (signal.aborted) return void (s.end(), resolve({ opened }));
          signal.addEventListener("abort", () => s.end(), { once: true });
          deps.onSocket(s);
          s.on("connection.update", (u) => {
            if (u.qr) {
              if (!linking) {
                // Unlinked credentials while not linking: stop instead of showing QRs nobody sees.
                resolve({ opened, unlinked: true });
                s.end();
                return;
              }
              setLink({ ...link, state: "linking", qr: u.qr });
              if (phoneNumber && !askedCode) {
                askedCode = true;
                s.requestPairingCode(phoneNumber.replace(/^\+/, "")).then(
                  (code) => setLink({ ...link, pairingCode: code }),
                  (err) => status.error(err),
                );
              }
            }
            if (u.connection === "open") {
              opened = true;
              const number = toE164(s.user()?.id ?? "");
              setLink({ state: "linked", number });
              status.set({ connected: true, botName: number, lastError: undefined });
              status.event();
            }
            if (u.connection === "close") {
              status.set({ connected: false });
              resolve({
                code: disconnectCode(u.lastDisconnect?.error),
                opened,
                error: u.lastDisconnect?.error,
              });
            }
          });
        }, reject);
      },
    );

  const runLoop = async (linking: boolean, phoneNumber: string | undefined, signal: AbortSignal) => {
    let failures = 0;
    while (!signal.aborted) {
      let end;
      try {
        end = await once(linking, phoneNumber, signal);
      } catch (err) {
        end = { code: undefined, opened: false, error: err };
      }
      sock = undefined;
      if (signal.aborted) break;
      if (end.code === WA_DISCONNECT.loggedOut) {
        setLink({ state: "logged-out" });
        status.error(
          new Error(
            `WhatsApp logged this device out: run \`${talonCommand()} channels login whatsapp\` to re-link`,
          ),
        );
        logger?.warn("WhatsApp logged out; the account needs a re-link");
        return;
      }
      if (link.state === "linking" && !end.opened && end.code === WA_DISCONNECT.timedOut) {
        setLink({ state: "not-linked" });
        status.error(new Error("The QR code expired before it was scanned"));
        return;
      }
      if ("unlinked" in end && end.unlinked) {
        setLink({ state: "not-linked" });
        status.error(new Error(`WhatsApp is not linked: run \`${talonCommand()} channels login whatsapp\``));
        return;
      }
      if (end.opened || end.code === WA_DISCONNECT.restartRequired) failures = 0;
      else failures++;
      if (end.error) status.error(end.error);
      logger?.info("WhatsApp connection closed; reconnecting", {
        code: end.code,
        error: end.error ? describeError(end.error) : undefined,
        failures,
      });
      if (link.state === "linked") linking = false;
      const delay = failures === 0 ? 0 : Math.min(backoff.maxMs, backoff.baseMs * 2 ** (failures - 1));
      await sleep(delay, signal, clock).catch(() => {});
    }
  };

  return {
    async run({ linking, phoneNumber }) {
      if (abort) await this.stop();
      const controller = new AbortController();
      abort = controller;
      if (linking) setLink({ state: "linking" });
      loop = runLoop(linking, phoneNumber, controller.signal).catch((err) => {
        status.error(err);
        logger?.error("WhatsApp connection loop failed", { error: describeError(err) });
      });
      await Promise.resolve();
    },
    async stop() {
      abort?.abort();
      sock?.end();
      await loop;
      loop = undefined;
      abort = undefined;
      sock = undefined;
      status.set({ connected: false });
    },
    socket: () => sock,
    link: () => ({ ...link }),
    setLink,
    changed(ms) {
      return new Promise((resolve) => {
        const done = () => {
          clock.clearTimeout(timer);
          waiters.delete(done);
          resolve({ ...link });
        };
        const timer = clock.setTimeout(done, ms);
        waiters.add(done);
      });
    },
  };
}

/**
 * Starts the link flow on a connection: stale or logged-out credentials are removed first (a fresh
 * device identity), the phone number (for a pairing code) is checked, then the socket runs in linking mode.
 */
export async function startLinking(
  conn: WebConnection,
  dir: string,
  phoneNumber: string | undefined,
): Promise<void> {
  const number = phoneNumber === undefined ? undefined : toE164(phoneNumber);
  if (phoneNumber !== undefined && !number) {
    throw new TypeError(`Invalid phone number "${phoneNumber}": expected +<country><number>`);
  }
  if (conn.link().state === "logged-out" || !(await readLinkedJid(dir))) {
    await conn.stop();
    await removeCredentials(dir);
  }
  await conn.run({ linking: true, phoneNumber: number });
}
