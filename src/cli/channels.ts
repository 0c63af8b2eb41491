/** `talon channels status`: the running gateway's channel accounts. */
import { talonCommand } from "../core/cli_name.ts";
import { parseArgs } from "node:util";
import type { ChannelStatus } from "../channels/types.ts";
import { runChannelLink } from "./channels_link.ts";
import { type Command, EXIT } from "./io.ts";
import { connectLocalGateway, formatDuration, gatewayClientOptions } from "./shared.ts";
import { reportConnectError } from "./gateway_connect.ts";

const USAGE = `Usage: talon channels status [channel] [--json] [--config <file>] [--url ws://host:port/ws]
       talon channels login whatsapp [--account <id>] [--phone <+number>]
       talon channels logout whatsapp [--account <id>]

status shows each channel account of the running gateway: running, connected, last event, last error.
login/logout link or unlink WhatsApp as a device (QR code, or a pairing code with --phone).
Exit codes: 0 ok, 1 failed, 69 gateway unreachable, 2 usage error.`;

/** Renders channel statuses as a table, one account per line. */
export function renderChannelStatus(list: ChannelStatus[], now: number): string {
  if (list.length === 0) return "No channels configured.";
  return list.map((s) => {
    const state = !s.running ? "stopped" : s.connected ? "connected" : "DISCONNECTED";
    const last = s.lastEventAt ? `last event ${formatDuration(now - s.lastEventAt)} ago` : "no events yet";
    const err = s.lastError ? `  last error: ${s.lastError}` : "";
    return `${`${s.channel}/${s.accountId}`.padEnd(24)} ${state.padEnd(12)} ${s.mode.padEnd(8)} ${last}${
      s.botName ? `  (${s.botName})` : ""
    }${linkNote(s)}${err}`;
  }).join("\n");
}

function linkNote(s: ChannelStatus): string {
  if (!s.link || s.link.state === "linked") return "";
  return s.link.state === "logged-out"
    ? `  LOGGED OUT: run ${talonCommand()} channels login whatsapp to re-link`
    : `  ${s.link.state}: run ${talonCommand()} channels login ${s.channel}`;
}

export const channelsCommand: Command = {
  name: "channels",
  summary: "Show channel accounts: connected, last event, last error",
  usage: USAGE,
  async run(argv, io) {
    if (argv[0] === "login" || argv[0] === "logout") return await runChannelLink(argv[0], argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: argv,
      options: gatewayClientOptions,
      allowPositionals: true,
      strict: true,
    });
    const [sub, channel] = positionals;
    if (sub !== "status") {
      io.err(sub ? `talon channels: unknown subcommand "${sub}"\n\n${USAGE}` : USAGE);
      return EXIT.usage;
    }
    let client;
    try {
      client = await connectLocalGateway(io, {
        config: values.config,
        url: values.url,
        timeoutMs: values.timeout ? Number(values.timeout) : undefined,
      });
    } catch (err) {
      return reportConnectError(io, "channels", err);
    }
    try {
      const payload = await client.request<{ channels: ChannelStatus[] }>(
        "channels.status",
        channel ? { channel } : {},
      );
      io.out(
        values.json ? JSON.stringify(payload, null, 2) : renderChannelStatus(payload.channels, Date.now()),
      );
      return EXIT.ok;
    } finally {
      await client.close();
    }
  },
};
