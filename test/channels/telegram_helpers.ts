import { configSchema } from "../../src/config/schema.ts";
import { telegramAccountSchema } from "../../src/config/sections/channels.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createPairingRepo, type PairingRepo } from "../../src/store/pairing.ts";
import type { Route } from "../../src/routing/resolve_route.ts";
import { createTelegramAdapter, type TelegramAdapter } from "../../src/channels/telegram/adapter.ts";
import type { InboundSink } from "../../src/channels/types.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake_telegram.ts";

export interface Harness {
  fake: FakeTelegram;
  store: Store;
  pairing: PairingRepo;
  adapter: TelegramAdapter;
  received: Array<{ inbound: InboundMessage; route: Route }>;
  mediaDir: string;
  /** A fresh adapter over the same fake and store (a restart). */
  restart(): Promise<TelegramAdapter>;
  waitReceived(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  account?: Record<string, unknown>;
  /** Called for each accepted message, e.g. to reply. */
  onAccept?: (inbound: InboundMessage, route: Route, adapter: TelegramAdapter) => Promise<void> | void;
  /** Overrides the sink entirely. */
  sink?: InboundSink;
  start?: boolean;
  /** The adapter's long-poll timeout (default 1 s) and how long the fake holds a poll. */
  pollTimeoutSec?: number;
  maxPollSec?: number;
}

/** A fake Bot API, a :memory: store and a started adapter whose sink records messages. */
export async function telegramHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = startFakeTelegram({ maxPollSec: options.maxPollSec });
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const mediaDir = await Deno.makeTempDir({ prefix: "talon-tg-" });
  const routeConfig = configSchema.parse({ session: { dmScope: "per-channel-peer" } });
  const received: Harness["received"] = [];
  const account = telegramAccountSchema.parse({
    botToken: fake.token,
    apiRoot: fake.apiRoot,
    allowFrom: ["42"],
    ...options.account,
  });
  const adapters: TelegramAdapter[] = [];
  const make = () => {
    const adapter: TelegramAdapter = createTelegramAdapter({
      accountId: "default",
      config: account,
      kv: store.kv,
      pairing,
      mediaDir,
      routeConfig: () => routeConfig,
      pollTimeoutSec: options.pollTimeoutSec ?? 1,
      backoffMs: 20,
      sink: options.sink ?? {
        async accept(inbound, route) {
          received.push({ inbound, route });
          await options.onAccept?.(inbound, route, adapter);
          return { accepted: true };
        },
      },
    });
    adapters.push(adapter);
    return adapter;
  };
  const adapter = make();
  if (options.start !== false) await adapter.start();
  return {
    fake,
    store,
    pairing,
    adapter,
    received,
    mediaDir,
    async restart() {
      const next = make();
      await next.start();
      return next;
    },
    async waitReceived(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const a of adapters) await a.stop();
      await fake.close();
      store.close();
      await Deno.remove(mediaDir, { recursive: true });
    },
  };
}

/** Waits until the stored offset reaches `offset` (the update was fully handled). */
export async function waitOffset(h: Harness, offset: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (((await h.store.kv.get<number>("channels:telegram:default:offset")) ?? 0) < offset) {
    if (Date.now() > deadline) throw new Error(`offset never reached ${offset}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const ALICE = { id: 42, first_name: "Alice", username: "alice" };
export const dmChat = (id = 42) => ({ id, type: "private" as const });
