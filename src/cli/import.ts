/** `talon import openclaw [--from ~/.openclaw] [--dry-run] [--force] [--json]` */
import { parseArgs } from "node:util";
import { type Command, EXIT } from "./io.ts";
import { displayPath, resolveHome } from "../config/paths.ts";
import { buildOpenClawImportPlan, formatPlan } from "../migrate/plan.ts";
import { applyImportPlan, existingFiles } from "../migrate/apply.ts";
import { ImportError } from "../migrate/types.ts";

const USAGE = `Usage: talon import openclaw [--from <dir>] [--dry-run] [--force] [--json]

Reads an OpenClaw state directory (default ~/.openclaw) and writes the Talon equivalents into
TALON_HOME (default ~/.talon): talon.json, workspace/<agent>/, import/openclaw-*.json.

  --from <dir>   OpenClaw state directory (default ~/.openclaw, or OPENCLAW_STATE_DIR)
  --dry-run      print the plan and write nothing
  --force        overwrite existing Talon files (talon.json is kept as talon.json.bak)
  --json         print the plan as JSON`;

export const importCommand: Command = {
  name: "import",
  summary: "Import an OpenClaw setup (config, agents, channels, pairings, cron, workspaces)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        from: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1 || positionals[0] !== "openclaw") {
      io.err(`talon import: expected the source "openclaw"\n\n${USAGE}`);
      return EXIT.usage;
    }
    const userHome = io.env.HOME;
    const from = values.from ?? io.env.OPENCLAW_STATE_DIR ?? (userHome ? `${userHome}/.openclaw` : undefined);
    if (!from) {
      io.err("talon import: cannot find ~/.openclaw (HOME is not set); pass --from <dir>");
      return EXIT.usage;
    }
    const home = resolveHome(io.env);
    const show = (p: string) => displayPath(p, io.env);
    try {
      const plan = await buildOpenClawImportPlan({ from, home, userHome, env: io.env });
      const dryRun = values["dry-run"];
      if (dryRun) {
        const existing = await existingFiles(plan);
        if (values.json) io.out(JSON.stringify(planJson(plan, existing), null, 2));
        else {
          io.out(formatPlan(plan, { dryRun, displayPath: show }));
          if (existing.length) {
            io.out(
              `\nAlready there (a real run needs --force):\n${
                existing.map((p) => `  ${show(p)}`).join("\n")
              }`,
            );
          }
        }
        return EXIT.ok;
      }
      await applyImportPlan(plan, { force: values.force });
      if (values.json) io.out(JSON.stringify(planJson(plan, []), null, 2));
      else io.out(formatPlan(plan, { dryRun, displayPath: show }));
      return EXIT.ok;
    } catch (err) {
      if (err instanceof ImportError) {
        io.err(`talon import: ${err.message}`);
        return EXIT.failure;
      }
      throw err;
    }
  },
};

function planJson(plan: Awaited<ReturnType<typeof buildOpenClawImportPlan>>, existing: string[]) {
  return {
    source: plan.source,
    home: plan.home,
    summary: plan.summary,
    config: plan.config,
    files: plan.files.map((f) => ({ path: f.path, kind: f.kind, ...(f.from ? { from: f.from } : {}) })),
    existing,
    unmapped: plan.unmapped,
    warnings: plan.warnings,
    envRefs: plan.envRefs,
  };
}
