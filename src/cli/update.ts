/** `talon update [--check] [--json] [--url URL]`: is there a newer release, and how to get it. */
import { parseArgs } from "node:util";
import { VERSION } from "../core/version.ts";
import { fetchLatestRelease, planUpdate, UpdateCheckError } from "../ops/update.ts";
import { type Command, EXIT } from "./io.ts";

const USAGE = `Usage: talon update [--check] [--json] [--url URL]

Asks the release feed (GitHub's releases API unless --url or TALON_UPDATE_URL says otherwise) for the
latest Talon release, compares it with this one and prints what to do. Talon never checks by itself:
only this command talks to the feed.

  --check   only report; exit 0 when up to date, 1 when a newer release exists
  --json    print {current, latest, newer, steps}
Exit code 69 when the feed cannot be read.`;

export interface UpdateCommandDeps {
  current?: string;
  /** Compile target of this build, e.g. x86_64-unknown-linux-gnu. */
  target?: string;
  /** Path of the compiled binary; undefined when running from source with deno. */
  binaryPath?: string;
}

/** Builds the command; tests pass the current version and target. */
export function createUpdateCommand(deps: UpdateCommandDeps = {}): Command {
  return {
    name: "update",
    summary: "Check for a newer Talon release",
    usage: USAGE,
    async run(argv, io) {
      const { values } = parseArgs({
        args: argv,
        options: {
          check: { type: "boolean", default: false },
          json: { type: "boolean", default: false },
          url: { type: "string" },
        },
        strict: true,
      });
      const url = values.url ?? io.env.TALON_UPDATE_URL;
      if (url !== undefined && !/^https?:\/\//.test(url)) {
        io.err(`talon update: --url must be an http(s) URL, not "${url}"\n\n${USAGE}`);
        return EXIT.usage;
      }
      const current = deps.current ?? VERSION;
      let release;
      try {
        release = await fetchLatestRelease({ url, userAgent: `talon/${current}` });
      } catch (err) {
        if (!(err instanceof UpdateCheckError)) throw err;
        io.err(`talon update: ${err.message}`);
        return EXIT.unavailable;
      }
      const plan = planUpdate({
        current,
        release,
        target: deps.target ?? Deno.build.target,
        binaryPath: deps.binaryPath ?? compiledPath(),
      });
      if (values.json) {
        io.out(
          JSON.stringify({
            current: plan.current,
            latest: plan.latest,
            newer: plan.newer,
            steps: plan.steps,
          }),
        );
      } else if (plan.newer) {
        io.out(`Talon ${plan.latest} is available (this is ${plan.current}).`);
        if (!values.check) { for (const s of plan.steps) io.out(`  ${s}`); }
      } else {
        io.out(`Talon ${plan.current} is up to date (latest release: ${plan.latest}).`);
      }
      return values.check && plan.newer ? EXIT.failure : EXIT.ok;
    },
  };
}

/** The binary's own path when Talon runs as a `deno compile` executable. */
function compiledPath(): string | undefined {
  const exec = Deno.execPath();
  const base = exec.split(/[\\/]/).pop() ?? "";
  return base === "deno" || base === "deno.exe" ? undefined : exec;
}

export const updateCommand: Command = createUpdateCommand();
