/**
 * Gateway methods `channels.login` and `channels.logout` (admin: only the owner's credential links or
 * unlinks an account — linking decides whose WhatsApp the assistant speaks as). `channels.login` starts
 * linking and returns the live QR (raw and as SVG) or pairing code; the Control UI and the CLI poll it.
 */
import { z } from "zod";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { ChannelRegistry } from "./registry.ts";
import { type ChannelLink, isLinkable, type LinkableAdapter } from "./types.ts";

export const channelsLoginParams = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64).optional(),
  phoneNumber: z.string().min(6).max(32).optional(),
  /** How long to wait for the next state change (e.g. a new QR) before answering. */
  waitMs: z.number().int().min(0).max(30_000).default(0),
});
export const channelsLogoutParams = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64).optional(),
});

/** A link state as the methods return it, with the QR rendered as SVG while linking. */
export type LinkView = ChannelLink & { accountId: string; qrSvg?: string };

const erase = <P>(def: MethodDef<P>) => def as unknown as MethodDef<unknown>;

function linkable(channels: ChannelRegistry, channel: string, accountId?: string): LinkableAdapter {
  const adapter = channels.get(channel, accountId);
  if (!adapter) {
    throw new TalonError(
      "NOT_FOUND",
      `No ${channel} account${accountId ? ` "${accountId}"` : ""} is configured`,
    );
  }
  if (!isLinkable(adapter)) {
    throw new TalonError(
      "INVALID_REQUEST",
      `${channel}/${adapter.accountId} is not linked by QR (mode cloud?)`,
    );
  }
  return adapter;
}

/** Adds the rendered QR to a link state. */
export async function linkView(accountId: string, link: ChannelLink): Promise<LinkView> {
  if (!link.qr) return { accountId, ...link };
  const { qrSvg } = await import("./qr.ts");
  return { accountId, ...link, qrSvg: qrSvg(link.qr) };
}

/** The link methods; the integrator registers them with `registry.add(...)`. */
export function createLinkMethods(deps: { channels: ChannelRegistry }): MethodDef<unknown>[] {
  return [
    erase<z.infer<typeof channelsLoginParams>>({
      name: "channels.login",
      scope: "admin",
      params: channelsLoginParams,
      description: "Starts linking a device account (WhatsApp web); returns the live QR or pairing code.",
      async handler(p) {
        const adapter = linkable(deps.channels, p.channel, p.accountId);
        const current = adapter.link();
        const link = current.state === "linking" && !p.phoneNumber
          ? (p.waitMs ? await adapter.linkChanged(p.waitMs) : current)
          : await adapter.login({ phoneNumber: p.phoneNumber, waitMs: p.waitMs || 3000 }).catch((err) => {
            if (err instanceof TypeError) throw new TalonError("INVALID_REQUEST", err.message);
            throw err;
          });
        return await linkView(adapter.accountId, link);
      },
    }),
    erase<z.infer<typeof channelsLogoutParams>>({
      name: "channels.logout",
      scope: "admin",
      params: channelsLogoutParams,
      description: "Unlinks a device account (WhatsApp web) and removes its credentials.",
      async handler(p) {
        const adapter = linkable(deps.channels, p.channel, p.accountId);
        await adapter.logout();
        return { accountId: adapter.accountId, ...adapter.link() };
      },
    }),
  ];
}
