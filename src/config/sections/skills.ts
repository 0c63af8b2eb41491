import { z } from "zod";
import { ConfigError } from "../../core/errors.ts";

const skillEntry = z.strictObject({
  enabled: z.boolean().default(true).describe("false hides the skill from the model and its slash command."),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({})
    .describe(
      "Environment variables for the owner's exec calls while the skill is installed: ${ENV} values only.",
    ),
  apiKey: z.string().optional().describe(
    "The skill's API key (as its primaryEnv variable): a ${ENV} reference.",
  ),
});

export const skillsSchema = z.strictObject({
  extraDirs: z.array(z.string().min(1)).default([]).describe(
    "More folders of skills, searched after <workspace>/skills and ~/.talon/skills.",
  ),
  entries: z.record(z.string().min(1), skillEntry).default({}).describe("Per-skill settings by skill name."),
  prompt: z.strictObject({
    maxSkills: z.number().int().min(0).max(500).default(60),
    maxBytes: z.number().int().min(256).max(64_000).default(5_000)
      .describe("Cap of the skills list in the system prompt (the whole prompt stays ≤ 12 KB)."),
  }).prefault({}),
}).prefault({});

export type SkillsConfig = z.infer<typeof skillsSchema>;

const ENV_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Skill secrets (`skills.entries.<name>.env.*`, `.apiKey`) must be `${ENV}` references in the file, never
 * literal values. Checked on the raw file, before substitution.
 */
export function checkSkillSecrets(raw: Record<string, unknown>, file: string): void {
  const entries =
    (raw.skills as { entries?: Record<string, { env?: unknown; apiKey?: unknown }> } | undefined)
      ?.entries;
  if (!entries || typeof entries !== "object") return;
  for (const [name, e] of Object.entries(entries)) {
    if (!e || typeof e !== "object") continue;
    const values: [string, unknown][] = [
      ...(e.apiKey !== undefined ? [["apiKey", e.apiKey] as [string, unknown]] : []),
      ...Object.entries(e.env && typeof e.env === "object" ? e.env : {}).map(([k, v]) =>
        [`env.${k}`, v] as [string, unknown]
      ),
    ];
    for (const [key, value] of values) {
      if (typeof value === "string" && !ENV_REF.test(value)) {
        throw new ConfigError(
          `Invalid config ${file}: skills.entries.${name}.${key}: secrets must be an environment reference ` +
            `like "\${${key === "apiKey" ? "MY_API_KEY" : key.slice(4)}}", not a literal value`,
        );
      }
    }
  }
}
