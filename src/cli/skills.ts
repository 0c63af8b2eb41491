/** `talon skills list|info|check|install`: the skills Talon sees, why some are off, and installing one. */
import { parseArgs } from "node:util";
import { workspaceFor } from "../agent/run_workspace.ts";
import { createSkillCatalog } from "../skills/catalog.ts";
import { installSkill } from "../skills/install.ts";
import { formatSkillInfo, formatSkillsList, skillsReport } from "../skills/report.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { loadCliConfig } from "./shared.ts";

const USAGE = `Usage: talon skills <list|info|check|install> [args] [--json] [--agent <id>]

  talon skills list                 every skill found, available or not (and why), and the prompt cap
  talon skills info <name>          one skill: folder, requirements, frontmatter
  talon skills check                exits 1 when a skill is unavailable or a SKILL.md is broken
  talon skills install <src>        copy a skill folder, .tar.gz or .zip into ~/.talon/skills (--force replaces)

Skills are folders with a SKILL.md in <workspace>/skills, ~/.talon/skills and skills.extraDirs.`;

export const skillsCommand: Command = {
  name: "skills",
  summary: "List, check and install skills (SKILL.md folders)",
  usage: USAGE,
  async run(argv, io: CliIo) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        agent: { type: "string" },
        config: { type: "string" },
      },
      allowPositionals: true,
    });
    const [sub, arg] = positionals;
    const loaded = await loadCliConfig(io, values.config);
    const { config, paths } = loaded;
    if (sub === "install") {
      if (!arg) {
        io.err(`talon skills install: which folder or archive?\n\n${USAGE}`);
        return EXIT.usage;
      }
      try {
        const r = await installSkill(arg, { skillsDir: `${paths.home}/skills`, force: values.force });
        io.out(
          values.json
            ? JSON.stringify(r, null, 2)
            : `${r.replaced ? "Replaced" : "Installed"} skill ${r.name} in ` +
              `${r.dir} (${r.files} files). It applies from the next message; no restart needed.`,
        );
        return EXIT.ok;
      } catch (err) {
        io.err(`talon skills install: ${(err as Error).message}`);
        return err instanceof TypeError ? EXIT.usage : EXIT.failure;
      }
    }
    const agentId = values.agent ?? config.agents.defaultAgent;
    const catalog = createSkillCatalog({ config: () => config, home: paths.home, env: io.env });
    const set = await catalog.get(workspaceFor(config, paths, agentId));
    const report = skillsReport(set, config.skills.prompt);
    switch (sub) {
      case undefined:
      case "list":
        io.out(values.json ? JSON.stringify(report, null, 2) : formatSkillsList(report));
        return EXIT.ok;
      case "info": {
        const row = report.skills.find((s) => s.name === arg);
        if (!row) {
          io.err(
            `talon skills info: no skill named ${arg ?? "(none given)"}. "talon skills list" shows them.`,
          );
          return EXIT.usage;
        }
        const skill = set.skills.find((s) => s.name === arg)!;
        io.out(
          values.json
            ? JSON.stringify({ ...row, frontmatter: skill.frontmatter, requires: skill.requires }, null, 2)
            : formatSkillInfo(row, skill.frontmatter),
        );
        return EXIT.ok;
      }
      case "check": {
        const bad = report.skills.filter((s) => s.enabled && !s.available);
        io.out(
          values.json
            ? JSON.stringify({
              ok: !bad.length && !report.problems.length,
              unavailable: bad,
              problems: report.problems,
            })
            : !bad.length && !report.problems.length
            ? `All ${report.skills.length} skills are available.`
            : [
              ...bad.map((s) => `${s.name}: ${s.reasons.join("; ")}`),
              ...report.problems.map((p) => `${p.dir}: ${p.error}`),
            ].join("\n"),
        );
        return bad.length || report.problems.length ? EXIT.failure : EXIT.ok;
      }
      default:
        io.err(`talon skills: unknown subcommand "${sub}"\n\n${USAGE}`);
        return EXIT.usage;
    }
  },
};
