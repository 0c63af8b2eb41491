import { commands } from "./commands.ts";
import { type CliIo, EXIT } from "./io.ts";
import { VERSION } from "../core/version.ts";
import { describeError, TalonError } from "../core/errors.ts";

/** Runs `talon <command> [args]`; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
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
    "Global: --config <file> (default ~/.talon/talon.json; TALON_HOME moves ~/.talon)",
    'Run "talon <command> --help" for a command\'s options.',
  ].join("\n");
}
