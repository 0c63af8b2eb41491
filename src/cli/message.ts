/** `talon message send`: send a message as the bot, through the running gateway's durable outbox. */
import { parseArgs } from "node:util";
import { parseTarget } from "../channels/registry.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { gatewayClientOptions, withGateway } from "./shared.ts";

const CHANNELS = ["telegram", "discord", "whatsapp", "webchat"] as const;

const USAGE =
  `Usage: talon message send --channel <telegram|discord|whatsapp|webchat> --to <target> [options] "text"

Sends a message as the bot. It goes through the running gateway's durable outbox (chunked to the
platform's limit, retried, visible with "talon outbox list --run <runId>").

  --channel <name>   telegram, discord, whatsapp or webchat
  --account <id>     the channel account (default: "default", or the only one)
  --to <target>      <id> (a user/chat), group:<id>, channel:<id>, each with an optional /<thread>;
                     a bare negative id (a Telegram group) is a group; WhatsApp: +<number>
                     or group:<id>@g.us
  --json             machine-readable output
  --config <file>  --url ws://host:port/ws  --timeout <ms>

Text: the remaining arguments joined by spaces, or "-" to read it from stdin.
Exit codes: 0 queued, 1 refused by the gateway, 2 usage error, 69 gateway unreachable.`;

/** Reads all of stdin as text. */
async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Runs `talon message …`; `stdin` is injectable for tests. */
export async function runMessage(
  argv: string[],
  io: CliIo,
  stdin: () => Promise<string> = readStdin,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...gatewayClientOptions,
      channel: { type: "string" },
      account: { type: "string" },
      to: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, ...words] = positionals;
  const usage = (msg: string) => {
    io.err(`talon message${sub ? ` ${sub}` : ""}: ${msg}\n\n${USAGE}`);
    return EXIT.usage;
  };
  if (sub !== "send") return usage(sub ? `unknown subcommand "${sub}"` : "expected a subcommand");
  if (!values.channel) return usage("--channel is required");
  if (!(CHANNELS as readonly string[]).includes(values.channel)) {
    return usage(`--channel must be one of ${CHANNELS.join(", ")}, got "${values.channel}"`);
  }
  if (!values.to) return usage("--to is required");
  try {
    parseTarget(values.to);
  } catch (err) {
    return usage((err as Error).message);
  }
  const text = words.length === 1 && words[0] === "-" ? await stdin() : words.join(" ");
  if (!text.trim()) return usage("the message text is empty");

  return await withGateway(io, "message send", values, async (client) => {
    const r = await client.request<{ runId: string; chunks: number; outboxIds: number[]; accountId: string }>(
      "message.send",
      {
        channel: values.channel,
        ...(values.account ? { accountId: values.account } : {}),
        to: values.to,
        text,
      },
    );
    io.out(
      values.json
        ? JSON.stringify(r, null, 2)
        : `Queued ${r.chunks} chunk(s) for ${values.channel}/${r.accountId} → ${values.to} (run ${r.runId}).`,
    );
    return EXIT.ok;
  });
}

export const messageCommand: Command = {
  name: "message",
  summary: "Send a message as the bot to a chat (through the outbox)",
  usage: USAGE,
  run: (argv, io) => runMessage(argv, io),
};
