/** `talon channels status`: the running gateway's channel accounts. */
import { parseArgs } from "node:util";
import { describeError } from "../core/errors.ts";
import type { ChannelStatus } from "../channels/types.ts";
import { type Command, EXIT } from "./io.ts";
import { connectLocalGateway, formatDuration, gatewayClientOptions } from "./shared.ts";

const USAGE = `Usage: talon channels status [channel] [--json] [--config <file>] [--url ws://host:port/ws]

Shows each channel account of the running gateway: running, connected, last event, last error.
Exit codes: 0 ok, 69 gateway unreachable, 2 usage error.`;

/** Renders channel statuses as a table, one account per line. */
export function renderChannelStatus(list: ChannelStatus[], now: number): string {
  if (list.length === 0) return "No channels configured.";
  return list.map((s) => {
    const state = !s.running ? "stopped" : s.connected ? "connected" : "DISCONNECTED";
    const last = s.lastEventAt ? `last event ${formatDuration(now - s.lastEventAt)} ago` : "no events yet";
    const err = s.lastError ? `  last error: ${s.lastError}` : "";
    return `${`${s.channel}/${s.accountId}`.padEnd(24)} ${state.padEnd(12)} ${s.mode.padEnd(8)} ${last}${
      s.botName ? `  (${s.botName})` : ""
    }${err}`;
  }).join("\n");
}

export const channelsCommand: Command = {
  name: "channels",
  summary: "Show channel accounts: connected, last event, last error",
  usage: USAGE,
  async run(argv, io) {
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
      io.err(`talon channels: cannot reach the gateway: ${describeError(err)}`);
      return EXIT.unavailable;
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
