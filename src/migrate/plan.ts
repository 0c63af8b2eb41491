/** Builds the plan of `talon import openclaw`: reads the OpenClaw state dir, maps it, touches nothing. */
import { validateConfig } from "../config/load.ts";
import { talonPaths } from "../config/paths.ts";
import { ConfigError } from "../core/errors.ts";
import { ImportError, type ImportPlan, type PlannedFile } from "./types.ts";
import { collectEnvRefs, createMapContext } from "./openclaw_values.ts";
import { readCronJobs, readOpenClawConfig, readPairings } from "./openclaw_read.ts";
import { mapOpenClawConfig } from "./openclaw_config.ts";
import { mapCronJobs, planWorkspaces } from "./openclaw_extras.ts";
import { planSkills } from "./openclaw_skills.ts";

export interface PlanOptions {
  /** The OpenClaw state directory (default ~/.openclaw). */
  from: string;
  /** TALON_HOME to write into. */
  home: string;
  /** The user's home directory, for `~` in OpenClaw paths. */
  userHome?: string;
  /** The environment, to tell which referenced variables are not set. */
  env: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

/** Import files written for other subsystems to load (see src/migrate/README.md). */
export const PAIRINGS_FILE = "import/openclaw-pairings.json";
export const CRON_FILE = "import/openclaw-cron.json";

/** Reads and maps everything; throws ImportError when the source cannot be read or maps to an invalid config. */
export async function buildOpenClawImportPlan(options: PlanOptions): Promise<ImportPlan> {
  const from = options.from.replace(/\/+$/, "") || "/";
  const ctx = createMapContext(from, options.userHome);
  const { config: source } = await readOpenClawConfig(from);
  const mapped = mapOpenClawConfig(source, ctx);
  const paths = talonPaths(options.home);
  const envRefs = collectEnvRefs(mapped.config);
  checkValid(mapped.config, envRefs, paths.configFile);

  const pairings = await readPairings(from, mapped.accountIds, ctx);
  const defaultAgent = String((mapped.config.agents as { defaultAgent?: string }).defaultAgent ?? "main");
  const cron = mapCronJobs(await readCronJobs(from, ctx), mapped.agents, defaultAgent, ctx);
  const workspace = await planWorkspaces(mapped.agents, options.home, ctx);
  const skills = await planSkills(from, mapped.agents, options.home, ctx);
  const importedAt = new Date((options.now ?? Date.now)()).toISOString();

  const files: PlannedFile[] = [
    { path: paths.configFile, kind: "config", content: JSON.stringify(mapped.config, null, 2) + "\n" },
    ...workspace,
    ...skills,
  ];
  if (pairings.length) {
    const body = { version: 1, source: "openclaw", from, importedAt, pairings };
    files.push({
      path: `${options.home}/${PAIRINGS_FILE}`,
      kind: "import",
      content: JSON.stringify(body, null, 2) + "\n",
    });
  }
  if (cron.length) {
    const body = { version: 1, source: "openclaw", from, importedAt, jobs: cron };
    files.push({
      path: `${options.home}/${CRON_FILE}`,
      kind: "import",
      content: JSON.stringify(body, null, 2) + "\n",
    });
  }
  for (const name of envRefs) {
    if (options.env[name] === undefined) {
      ctx.warnings.push(`set ${name} in Talon's environment: talon.json refers to \${${name}}`);
    }
  }
  const channels = mapped.config.channels as Record<string, { accounts: object }> | undefined;
  return {
    source: from,
    home: options.home,
    config: mapped.config,
    files,
    unmapped: ctx.unmapped,
    warnings: ctx.warnings,
    envRefs,
    summary: {
      providers: Object.keys(mapped.config.providers ?? {}).length,
      agents: mapped.agents.length,
      channelAccounts: Object.values(channels ?? {}).reduce((n, c) => n + Object.keys(c.accounts).length, 0),
      pairings: pairings.length,
      cronJobs: cron.length,
      workspaceFiles: workspace.length,
    },
  };
}

/** Validates the mapped config against Talon's schema, with placeholders standing in for `${ENV}` values. */
function checkValid(config: Record<string, unknown>, envRefs: string[], file: string): void {
  const env: Record<string, string> = {};
  for (const name of envRefs) env[name] = "imported-placeholder-value-0123456789";
  try {
    validateConfig(config, { env, file });
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ImportError(`The imported config would not be valid: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** The plan as text for people: files, then what was not mapped and why, then warnings. */
export function formatPlan(
  plan: ImportPlan,
  opts: { dryRun: boolean; displayPath?: (p: string) => string },
): string {
  const show = opts.displayPath ?? ((p: string) => p);
  const s = plan.summary;
  const lines = [
    `${opts.dryRun ? "Would import" : "Imported"} from ${show(plan.source)} into ${show(plan.home)}:`,
    `  ${s.providers} provider(s), ${s.agents} agent(s), ${s.channelAccounts} channel account(s), ` +
    `${s.pairings} approved pairing(s), ${s.cronJobs} cron job(s), ${s.workspaceFiles} workspace file(s)`,
    "",
    opts.dryRun ? "Files it would write:" : "Files written:",
    ...plan.files.map((f) => `  ${f.kind.padEnd(9)} ${show(f.path)}${f.from ? `  ← ${show(f.from)}` : ""}`),
  ];
  if (plan.unmapped.length) {
    lines.push(
      "",
      `Not imported (${plan.unmapped.length}):`,
      ...plan.unmapped.map((u) => `  ${u.path}: ${u.reason}`),
    );
  }
  if (plan.warnings.length) lines.push("", "Check:", ...plan.warnings.map((w) => `  ${w}`));
  return lines.join("\n");
}
