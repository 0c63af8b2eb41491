/**
 * `talon channels login|logout whatsapp`: link a phone as a device by QR (or a pairing code with
 * `--phone`), or unlink it. Through the running gateway when it is reachable (the gateway's own socket
 * links, and the Control UI shows the same QR); otherwise locally, writing the credentials the gateway
 * will use on its next start.
 */
import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import { whatsappCredentialsDir } from "../config/paths.ts";
import { systemClock } from "../core/clock.ts";
import { describeError, TalonError } from "../core/errors.ts";
import type { ChannelLink } from "../channels/types.ts";
import type { LinkView } from "../channels/link_methods.ts";
import type { GatewayClient } from "../gateway/client.ts";
import { type CliIo, EXIT } from "./io.ts";
import { connectLocalGateway, loadCliConfig } from "./shared.ts";

export const LINK_USAGE =
  `Usage: talon channels login whatsapp [--account <id>] [--phone <+number>] [--timeout-sec <s>]
       talon channels logout whatsapp [--account <id>]

login shows a QR code: on your phone open WhatsApp → Settings → Linked devices → Link a device and scan it.
With --phone, WhatsApp sends an 8-character code to enter there instead ("Link with phone number").`;

const options = {
  account: { type: "string" },
  phone: { type: "string" },
  "timeout-sec": { type: "string" },
  config: { type: "string" },
  url: { type: "string" },
} as const;

/** Runs `login` or `logout` for a channel. */
export async function runChannelLink(sub: "login" | "logout", argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (positionals[0] !== "whatsapp" || positionals.length !== 1) {
    io.err(`talon channels ${sub}: only "whatsapp" links as a device\n\n${LINK_USAGE}`);
    return EXIT.usage;
  }
  const timeoutMs = Number(values["timeout-sec"] ?? 180) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    io.err(`talon channels ${sub}: --timeout-sec must be a positive number`);
    return EXIT.usage;
  }
  let client: GatewayClient | undefined;
  try {
    client = await connectLocalGateway(io, { config: values.config, url: values.url, timeoutMs: 5000 });
  } catch (err) {
    if (err instanceof TalonError && err.name === "ConfigError") throw err;
  }
  try {
    if (client) {
      const gw = client;
      const params = { channel: "whatsapp", ...(values.account ? { accountId: values.account } : {}) };
      if (sub === "logout") {
        const res = await gw.request<LinkView>("channels.logout", params);
        io.out(`WhatsApp account "${res.accountId}" unlinked; its credentials were removed.`);
        return EXIT.ok;
      }
      let first = true;
      return await followLink(io, timeoutMs, async (waitMs) => {
        const p = { ...params, waitMs, ...(first && values.phone ? { phoneNumber: values.phone } : {}) };
        first = false;
        return await gw.request<LinkView>("channels.login", p);
      });
    }
    return await runLocally(sub, io, { ...values, timeoutMs });
  } catch (err) {
    if (!(err instanceof TalonError || err instanceof TypeError || err instanceof RangeError)) throw err;
    io.err(`talon channels ${sub}: ${err.message}`);
    return EXIT.failure;
  } finally {
    await client?.close();
  }
}

/**
 * Polls the link state until linked, expired or logged out, printing each new QR (as text blocks) and the
 * pairing code. Exit 0 once linked.
 */
export async function followLink(
  io: CliIo,
  timeoutMs: number,
  poll: (waitMs: number) => Promise<ChannelLink & { lastError?: string }>,
): Promise<number> {
  const deadline = systemClock.now() + timeoutMs;
  let shownQr: string | undefined;
  let shownCode: string | undefined;
  let started = false;
  for (;;) {
    const left = deadline - systemClock.now();
    if (left <= 0) {
      io.err("talon channels login: linking did not finish in time; run it again for a fresh QR code.");
      return EXIT.failure;
    }
    const link = await poll(Math.min(20_000, left));
    if (link.state === "linked") {
      io.out(`Linked as ${link.number ?? "(unknown number)"}.`);
      return EXIT.ok;
    }
    if (link.state === "logged-out" || (started && link.state === "not-linked")) {
      io.err(`talon channels login: linking stopped (${link.lastError ?? link.state}); run it again.`);
      return EXIT.failure;
    }
    started ||= link.state === "linking";
    if (link.qr && link.qr !== shownQr) {
      shownQr = link.qr;
      const { qrForTerminal } = await import("../channels/qr.ts");
      io.out(`Scan with WhatsApp → Settings → Linked devices → Link a device:\n${qrForTerminal(link.qr)}`);
    }
    if (link.pairingCode && link.pairingCode !== shownCode) {
      shownCode = link.pairingCode;
      io.out(`Or enter this code on your phone ("Link with phone number"): ${link.pairingCode}`);
    }
  }
}

/** No gateway running: link (or remove) the credentials of a web account in this process. */
async function runLocally(
  sub: "login" | "logout",
  io: CliIo,
  o: { account?: string; phone?: string; config?: string; timeoutMs: number },
): Promise<number> {
  const loaded = await loadCliConfig(io, o.config);
  const accounts = loaded.config.channels.whatsapp?.accounts ?? {};
  const ids = Object.keys(accounts);
  const accountId = o.account ??
    (ids.includes("default") ? "default" : ids.length === 1 ? ids[0]! : undefined);
  const account = accountId ? accounts[accountId] : undefined;
  if (!accountId || !account) {
    io.err(
      `talon channels ${sub}: no WhatsApp account${o.account ? ` "${o.account}"` : ""} in the config ` +
        `(add channels.whatsapp.accounts.<id>, or run ${talonCommand()} onboard --whatsapp)`,
    );
    return EXIT.failure;
  }
  if (account.mode !== "web") {
    io.err(`talon channels ${sub}: account "${accountId}" uses the Cloud API; there is nothing to link`);
    return EXIT.failure;
  }
  const dir = whatsappCredentialsDir(loaded.paths, accountId);
  const { removeCredentials } = await import("../channels/whatsapp/auth_store.ts");
  if (sub === "logout") {
    const removed = await removeCredentials(dir);
    io.out(
      removed
        ? `Removed the credentials of WhatsApp account "${accountId}". The gateway is not running, so also ` +
          `remove "Talon" under Linked devices on your phone.`
        : `WhatsApp account "${accountId}" has no credentials.`,
    );
    return EXIT.ok;
  }
  const { createLocalLinker } = await import("../channels/whatsapp/local_link.ts");
  const linker = createLocalLinker({ dir, waWebSocketUrl: account.waWebSocketUrl });
  try {
    io.out(`No gateway running: linking WhatsApp account "${accountId}" from this terminal.`);
    await linker.start(o.phone);
    return await followLink(io, o.timeoutMs, (waitMs) => linker.changed(waitMs));
  } catch (err) {
    io.err(`talon channels login: ${describeError(err)}`);
    return EXIT.failure;
  } finally {
    await linker.stop();
  }
}
