import { commands } from "./commands.ts";
import { type CliIo, EXIT } from "./io.ts";
import { VERSION } from "../core/version.ts";
import { talonCommand } from "../core/cli_name.ts";
import { describeError, TalonError } from "../core/errors.ts";

/** Runs `talon <command> [args]`; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const global = takeGlobalConfig(argv);
  if (typeof global === "string") {
    io.err(`talon: ${global}\n\n${usage()}`);
    return EXIT.usage;
  }
  const [name, ...commandArgs] = global.argv;
  let rest = commandArgs;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const sub = name === "help" ? rest[0] : undefined;
    const entry = sub ? commands.find((c) => c.name === sub) : undefined;
    io.out(entry ? (await entry.load()).usage : usage());
    return name ? EXIT.ok : (argv.length === 0 ? EXIT.usage : EXIT.ok);
  }
  if (name === "--version" || name === "-v") {
    io.out(`talon ${VERSION}`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`talon: unknown command "${name}". Run "talon --help" for the list.`);
    return EXIT.usage;
  }
  const cmd = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(cmd.usage);
    return EXIT.ok;
  }
  if (global.config !== undefined) {
    // `talon --config X <cmd>` is `talon <cmd> --config X` for every command that reads the config.
    if (!cmd.usage.includes("--config")) {
      io.err(`talon ${name}: this command does not read a config file; drop --config`);
      return EXIT.usage;
    }
    rest = ["--config", global.config, ...rest];
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof TypeError && /^(Unknown option|Unexpected argument|Option)/.test(err.message)) {
      io.err(`talon ${name}: ${err.message}\n\n${cmd.usage}`);
      return EXIT.usage;
    }
    io.err(`talon ${name}: ${err instanceof TalonError ? err.message : describeError(err)}`);
    return err instanceof TalonError && err.name === "ConfigError" ? EXIT.config : EXIT.failure;
  }
}

/** Takes `--config <file>` / `--config=<file>` given before the command name. A string is a usage error. */
function takeGlobalConfig(argv: string[]): { argv: string[]; config?: string } | string {
  let config: string | undefined;
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("--config")) {
    const arg = argv[i]!;
    if (arg === "--config") {
      if (i + 1 >= argv.length || argv[i + 1]!.startsWith("-")) return "--config needs a file";
      config = argv[i + 1];
      i += 2;
    } else if (arg.startsWith("--config=")) {
      config = arg.slice("--config=".length);
      i += 1;
    } else break;
  }
  if (config === "") return "--config needs a file";
  return { argv: argv.slice(i), ...(config !== undefined ? { config } : {}) };
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    `talon ${VERSION} — a self-hosted AI agent gateway in one binary`,
    "",
    "Usage: talon <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global: --config <file>, before or after the command (default ~/.talon/talon.json; TALON_HOME moves",
    "        ~/.talon)",
    'Run "talon <command> --help" for a command\'s options.',
    ...(talonCommand() === "talon" ? [] : [
      `Here "talon" is run as: ${talonCommand("<command>")}`,
      "  (from source, deno task talon:install puts a talon command on PATH)",
    ]),
  ].join("\n");
}
