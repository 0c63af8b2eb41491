/** `talon doctor [--fix] [--json] [--online]` */
import { parseArgs } from "node:util";
import { type Command, EXIT } from "./io.ts";
import { type DoctorDeps, formatDoctor, runDoctor } from "../ops/doctor.ts";
import { realRunner } from "../ops/command_runner.ts";

const USAGE = `Usage: talon doctor [--fix] [--json] [--online] [--config <file>]

Checks the config, state dir permissions, the store (migrations, integrity), the gateway port, providers,
channel tokens, the browser, the systemd service, disk space and the clock.

  --fix      apply safe fixes: chmod the state dir and files, apply store migrations (never edits talon.json)
  --online   also call each provider and Telegram with the configured keys
  --json     machine-readable output
Exits 1 when a check fails (and was not fixed).`;

/** Builds the command; tests pass their own runner, fetch and clock. */
export function createDoctorCommand(
  deps: Pick<DoctorDeps, "runner" | "fetch" | "now"> & Partial<DoctorDeps>,
): Command {
  return {
    name: "doctor",
    summary: "Check that Talon can run here (--fix applies safe fixes)",
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        options: {
          fix: { type: "boolean", default: false },
          json: { type: "boolean", default: false },
          online: { type: "boolean", default: false },
          config: { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length) {
        io.err(`talon doctor: unexpected argument "${positionals[0]}"\n\n${USAGE}`);
        return EXIT.usage;
      }
      const results = await runDoctor({
        ...deps,
        env: io.env,
        configFile: values.config,
        fix: values.fix,
        online: values.online,
      });
      if (values.json) io.out(JSON.stringify({ checks: results }, null, 2));
      else io.out(formatDoctor(results));
      return results.some((r) => r.status === "fail" && !r.fixed) ? EXIT.failure : EXIT.ok;
    },
  };
}

/** The real command. */
export const doctorCommand: Command = createDoctorCommand({
  runner: realRunner,
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
});
