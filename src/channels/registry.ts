/** Every running channel adapter, by channel and account: start/stop together, status, outbound send. */
import { describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { PeerKind } from "../core/types.ts";
import { ChannelError } from "./errors.ts";
import type { ChannelAdapter, ChannelStatus, OutboundMessage, SendResult, SendTarget } from "./types.ts";

export interface ChannelRegistry {
  add(adapter: ChannelAdapter): void;
  get(channel: string, accountId?: string): ChannelAdapter | undefined;
  list(): ChannelAdapter[];
  /** Starts every adapter; one that fails is logged and left stopped, the others still start. */
  startAll(): Promise<void>;
  stopAll(): Promise<void>;
  status(): ChannelStatus[];
  /**
   * The channel-side send path (outbox dispatch, `talon message send`): picks the account (default:
   * `default`, else the only one) and sends.
   */
  send(
    channel: string,
    accountId: string | undefined,
    target: SendTarget,
    message: OutboundMessage,
  ): Promise<SendResult>;
}

export function createChannelRegistry(deps: { logger?: Logger } = {}): ChannelRegistry {
  const adapters = new Map<string, ChannelAdapter>();
  const key = (channel: string, accountId: string) => `${channel}:${accountId}`;
  const get = (channel: string, accountId?: string) => {
    if (accountId) return adapters.get(key(channel, accountId));
    const all = [...adapters.values()].filter((a) => a.channel === channel);
    return all.find((a) => a.accountId === "default") ?? (all.length === 1 ? all[0] : undefined);
  };
  return {
    add(adapter) {
      const k = key(adapter.channel, adapter.accountId);
      if (adapters.has(k)) throw new RangeError(`Channel ${k} is already registered`);
      adapters.set(k, adapter);
    },
    get,
    list: () => [...adapters.values()],
    async startAll() {
      await Promise.all([...adapters.values()].map(async (a) => {
        try {
          await a.start();
        } catch (err) {
          deps.logger?.error("Channel failed to start", {
            channel: a.channel,
            accountId: a.accountId,
            error: describeError(err),
          });
        }
      }));
    },
    async stopAll() {
      await Promise.all([...adapters.values()].map((a) => a.stop().catch(() => {})));
    },
    status: () => [...adapters.values()].map((a) => a.status()),
    send(channel, accountId, target, message) {
      const adapter = get(channel, accountId);
      if (!adapter) {
        return Promise.reject(
          new ChannelError(
            channel,
            "api",
            `No ${channel} account${accountId ? ` "${accountId}"` : ""} is configured`,
          ),
        );
      }
      return adapter.send(target, message);
    },
  };
}

/**
 * Parses a `--to` target: `123` (a user/chat), `group:-100`, `channel:42`, `direct:7`, optionally with
 * `/thread` (`channel:42/99`). A bare negative id (Telegram group chats) is a group.
 */
export function parseTarget(to: string): SendTarget {
  const m = /^(?:(direct|group|channel):)?([^/\s]+)(?:\/([^/\s]+))?$/.exec(to.trim());
  if (!m) throw new TypeError(`Invalid target "${to}": expected <id>, group:<id> or channel:<id>[/thread]`);
  const id = m[2]!;
  const kind = (m[1] as PeerKind | undefined) ?? (id.startsWith("-") ? "group" : "direct");
  return { peer: { kind, id }, threadId: m[3] };
}
