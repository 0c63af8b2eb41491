/** `talon outbox list|retry|drop`: the reply chunks waiting to go out, and the dead-letter list. */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { fileUrl, openStore } from "../store/mod.ts";
import { createOutboxRepo, OUTBOX_STATES, type OutboxRepo, type OutboxState } from "../store/outbox.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";

/** What `outbox list` shows without --state: chunks not sent yet, and the dead-letter list. */
const UNSENT_STATES: readonly OutboxState[] = ["pending", "sending", "dead"];

const USAGE = `Usage: talon outbox <list|retry|drop> [options]

  talon outbox list [--state pending|sending|dead|sent|dropped|all] [--run <runId>] [--limit N]
                               default: what still needs attention (pending, sending, dead)
  talon outbox retry <id>      put a dead or dropped chunk back in line
  talon outbox retry --all     put every dead chunk back in line
  talon outbox drop <id>       never send a pending or dead chunk

Options: --json  machine-readable output; --config <file>
A running gateway picks retried chunks up within a few seconds.`;

/** Runs the outbox subcommands against a repo. Exported for tests. */
export async function runOutbox(argv: string[], io: CliIo, outbox: OutboxRepo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean", default: false },
      config: { type: "string" },
      state: { type: "string" },
      run: { type: "string" },
      limit: { type: "string" },
      all: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const [sub, idText] = positionals;
  const print = (data: unknown, text: () => string) =>
    io.out(values.json ? JSON.stringify(data, null, 2) : text());
  const parseId = (): number | undefined => {
    const id = Number(idText);
    if (!idText || !Number.isInteger(id) || id < 1) {
      io.err(
        `talon outbox ${sub}: expected an item id (a positive integer), got "${idText ?? ""}"\n\n${USAGE}`,
      );
      return undefined;
    }
    return id;
  };
  switch (sub) {
    case "list": {
      if (values.state && values.state !== "all" && !OUTBOX_STATES.includes(values.state as OutboxState)) {
        io.err(
          `talon outbox list: --state must be one of ${OUTBOX_STATES.join(", ")}, all; got "${values.state}"`,
        );
        return EXIT.usage;
      }
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        io.err(`talon outbox list: --limit must be a positive integer, got "${values.limit}"`);
        return EXIT.usage;
      }
      // Sent chunks pile up quickly; by default list only what has not gone out.
      const state = values.state === "all"
        ? undefined
        : (values.state as OutboxState | undefined) ?? UNSENT_STATES;
      const items = await outbox.list({
        state,
        runId: values.run,
        limit,
      });
      print(
        items,
        () =>
          items.length === 0
            ? (state === UNSENT_STATES
              ? "Nothing waiting or dead-lettered in the outbox (--state all lists sent chunks too)."
              : "The outbox is empty.")
            : items.map((i) =>
              `${String(i.id).padStart(5)}  ${
                i.state.padEnd(7)
              }  ${i.target.channel}/${i.target.accountId} → ${i.target.to}` +
              `  ${i.runId}#${i.chunkIndex}  attempts ${i.attempts}${i.lastError ? `  ${i.lastError}` : ""}`
            ).join("\n"),
      );
      return EXIT.ok;
    }
    case "retry": {
      if (values.all) {
        const retried = await outbox.retry();
        print({ retried }, () => `Put ${retried} dead chunk(s) back in line.`);
        return EXIT.ok;
      }
      const id = parseId();
      if (id === undefined) return EXIT.usage;
      if ((await outbox.retry(id)) === 0) {
        io.err(`talon outbox retry: item ${id} is not dead or dropped`);
        return EXIT.failure;
      }
      print({ retried: 1, id }, () => `Item ${id} is back in line.`);
      return EXIT.ok;
    }
    case "drop": {
      const id = parseId();
      if (id === undefined) return EXIT.usage;
      if (!(await outbox.drop(id))) {
        io.err(`talon outbox drop: item ${id} is not pending or dead`);
        return EXIT.failure;
      }
      print({ dropped: id }, () => `Item ${id} dropped; it will not be sent.`);
      return EXIT.ok;
    }
    default:
      io.err(sub ? `talon outbox: unknown subcommand "${sub}"\n\n${USAGE}` : USAGE);
      return EXIT.usage;
  }
}

export const outboxCommand: Command = {
  name: "outbox",
  summary: "List, retry or drop reply chunks waiting to be sent (dead letters)",
  usage: USAGE,
  async run(argv, io: CliIo) {
    const { values } = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: false });
    const loaded = await loadConfig({
      env: io.env,
      configFile: typeof values.config === "string" ? values.config : undefined,
    });
    const store = await openStore({
      url: loaded.config.store.url ?? fileUrl(loaded.paths.dbFile),
      authToken: loaded.config.store.authToken,
    });
    try {
      return await runOutbox(argv, io, createOutboxRepo(store.db));
    } finally {
      store.close();
    }
  },
};
