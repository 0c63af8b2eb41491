/** `talon pairing list|approve|deny`: approve people who asked to talk to the bot. */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { fileUrl, openStore } from "../store/mod.ts";
import { createPairingRepo, type PairingRepo } from "../store/pairing.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";

const USAGE = `Usage: talon pairing <list|approve|deny|approved> [channel] [code]

  talon pairing list [channel]            pending requests (code, channel, sender, expiry)
  talon pairing approve <channel> <code>  let the sender talk to the bot
  talon pairing deny <channel> <code>     drop the request
  talon pairing approved [channel]        approved senders

Options: --json  machine-readable output`;

/** Runs the pairing subcommands against a repo. Exported for tests and the gateway-less path. */
export async function runPairing(
  argv: string[],
  io: CliIo,
  repo: PairingRepo,
  now = Date.now,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: "boolean", default: false }, config: { type: "string" } },
    allowPositionals: true,
  });
  const [sub, channel, code] = positionals;
  const print = (data: unknown, text: () => string) =>
    io.out(values.json ? JSON.stringify(data, null, 2) : text());
  switch (sub) {
    case "list": {
      const list = await repo.list(channel);
      print(
        list,
        () =>
          list.length === 0
            ? "No pending pairing requests."
            : list.map((r) =>
              `${r.code}  ${r.channel}/${r.accountId}  ${
                r.senderName ?? r.senderId
              } (${r.senderId})  expires in ${Math.max(0, Math.round((r.expiresAt - now()) / 60_000))} min`
            ).join("\n"),
      );
      return EXIT.ok;
    }
    case "approved": {
      const list = await repo.approved(channel);
      print(
        list,
        () =>
          list.length === 0
            ? "No approved senders."
            : list.map((s) => `${s.channel}/${s.accountId}  ${s.senderName ?? s.senderId} (${s.senderId})`)
              .join("\n"),
      );
      return EXIT.ok;
    }
    case "approve":
    case "deny": {
      if (!channel || !code) {
        io.err(`talon pairing ${sub}: expected <channel> <code>\n\n${USAGE}`);
        return EXIT.usage;
      }
      if (sub === "approve") {
        const sender = await repo.approve(channel, code, "cli");
        if (!sender) {
          io.err(
            `talon pairing approve: no pending request ${code.toUpperCase()} on ${channel} (expired or unknown)`,
          );
          return EXIT.failure;
        }
        print(
          sender,
          () => `Approved ${sender.senderName ?? sender.senderId} on ${channel}/${sender.accountId}.`,
        );
        return EXIT.ok;
      }
      if (!(await repo.deny(channel, code))) {
        io.err(`talon pairing deny: no pending request ${code.toUpperCase()} on ${channel}`);
        return EXIT.failure;
      }
      print({ denied: code.toUpperCase() }, () => `Denied ${code.toUpperCase()}.`);
      return EXIT.ok;
    }
    default:
      io.err(sub ? `talon pairing: unknown subcommand "${sub}"\n\n${USAGE}` : USAGE);
      return EXIT.usage;
  }
}

/** The `pairing` command: opens the store named by the config and runs the subcommand. */
export const pairingCommand: Command = {
  name: "pairing",
  summary: "List, approve or deny people asking to talk to the bot",
  usage: USAGE,
  async run(argv, io) {
    const configFile = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: false })
      .values
      .config as string | undefined;
    const { config, paths } = await loadConfig({ env: io.env, configFile });
    const store = await openStore({
      url: config.store.url ?? fileUrl(paths.dbFile),
      authToken: config.store.authToken,
    });
    try {
      return await runPairing(argv, io, createPairingRepo(store.db));
    } finally {
      store.close();
    }
  },
};
