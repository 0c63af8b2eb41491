import { parseArgs } from "node:util";
import { loadConfig, parseJson, validateConfig } from "../config/load.ts";
import { configJsonSchema } from "../config/schema.ts";
import { displayPath } from "../config/paths.ts";
import { getPath, setPath, writeConfigFile } from "../config/write.ts";
import { redactValue } from "../core/redact.ts";
import { fileUrl, openStore } from "../store/mod.ts";
import { type Command, EXIT } from "./io.ts";

export const configCommand: Command = {
  name: "config",
  summary: "Get, set, validate talon.json or print its JSON Schema",
  usage: `Usage: talon config <get|set|unset|validate|schema|path> [args] [--config <file>]

  get [path]          print the effective config (secrets redacted), or one key: gateway.port
  set <path> <value>  set a key in the file; value is JSON (18800, true, "text") or a plain string
  unset <path>        remove a key from the file
  validate            check the file; exit 78 when invalid
  schema              print the JSON Schema (for editors: "$schema" in talon.json)
  path                print the config file path

Writes are validated first, atomic, and keep the previous file as talon.json.bak.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { config: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    const [sub, key, ...rest] = positionals;
    switch (sub) {
      case "schema":
        io.out(JSON.stringify(configJsonSchema(), null, 2));
        return EXIT.ok;
      case "path": {
        const loaded = await loadConfig({ env: io.env, configFile: values.config });
        io.out(loaded.paths.configFile);
        return EXIT.ok;
      }
      case "validate": {
        const loaded = await loadConfig({ env: io.env, configFile: values.config });
        io.out(
          loaded.fromFile
            ? `${displayPath(loaded.paths.configFile, io.env)} is valid`
            : `No config file at ${displayPath(loaded.paths.configFile, io.env)}; defaults are valid`,
        );
        return EXIT.ok;
      }
      case "get": {
        const loaded = await loadConfig({ env: io.env, configFile: values.config });
        const value = key ? getPath(loaded.config, key) : loaded.config;
        if (value === undefined) {
          io.err(`talon config: no key ${key}`);
          return EXIT.failure;
        }
        io.out(
          typeof value === "string"
            ? String(redactValue({ [key!]: value })[key!])
            : JSON.stringify(redactValue(value), null, 2),
        );
        return EXIT.ok;
      }
      case "set":
      case "unset": {
        if (!key || (sub === "set" && rest.length === 0)) {
          io.err(`talon config ${sub}: missing ${key ? "value" : "key"}\n\n${configCommand.usage}`);
          return EXIT.usage;
        }
        const loaded = await loadConfig({ env: io.env, configFile: values.config });
        const file = loaded.paths.configFile;
        const raw = loaded.fromFile ? parseJson(await Deno.readTextFile(file), file) : {};
        const value = sub === "set" ? parseValue(rest.join(" ")) : undefined;
        const next = setPath(raw, key, value);
        validateConfig(next, { env: io.env, file: displayPath(file, io.env) });
        const { backup } = await writeConfigFile(file, next, io.env);
        await auditChange(loaded, key, sub);
        io.out(
          `${sub === "set" ? "Set" : "Removed"} ${key} in ${displayPath(file, io.env)} (${
            backup ? `previous version kept as ${displayPath(backup, io.env)}` : "new file"
          })`,
        );
        return EXIT.ok;
      }
      default:
        io.err(
          sub ? `talon config: unknown subcommand "${sub}"\n\n${configCommand.usage}` : configCommand.usage,
        );
        return EXIT.usage;
    }
  },
};

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Records a config change in the audit table; a store that cannot be opened does not block the change. */
async function auditChange(loaded: Awaited<ReturnType<typeof loadConfig>>, key: string, action: string) {
  try {
    await Deno.mkdir(loaded.paths.home, { recursive: true, mode: 0o700 });
    const store = await openStore({ url: loaded.config.store.url ?? fileUrl(loaded.paths.dbFile) });
    try {
      await store.audit.record({
        kind: "config.change",
        outcome: "ok",
        actor: "cli",
        detail: { key, action },
      });
    } finally {
      store.close();
    }
  } catch { /* audit is best effort from the CLI */ }
}
