/** Skills: folders with a SKILL.md (AgentSkills format, as OpenClaw uses) that teach the agent a task. */

/** Where a skill was found; earlier sources win on a name clash. */
export type SkillSource = "workspace" | "user" | "extra";

/** What a skill needs before it is offered to the model. */
export interface SkillRequirements {
  /** Every one of these programs on PATH. */
  bins: string[];
  /** At least one of these programs on PATH. */
  anyBins: string[];
  /** These environment variables set (or given in skills.entries.<name>.env / apiKey). */
  env: string[];
  /** These config paths truthy, e.g. `channels.telegram.enabled`. */
  config: string[];
}

/** A parsed SKILL.md. */
export interface SkillManifest {
  name: string;
  description: string;
  /** Operating systems it runs on (`linux`, `darwin`, `win32`); empty: any. */
  os: string[];
  userInvocable: boolean;
  disableModelInvocation: boolean;
  /** The environment variable the entry's `apiKey` fills, when the skill names one. */
  primaryEnv?: string;
  requires: SkillRequirements;
  /** The frontmatter as written, for `skills info` (other agents' keys are kept, not required). */
  frontmatter: Record<string, unknown>;
  /** The markdown body after the frontmatter. */
  body: string;
}

/** A skill found on disk, with its availability. */
export interface Skill extends SkillManifest {
  /** The skill's folder (absolute). */
  dir: string;
  /** Its SKILL.md (absolute). */
  file: string;
  source: SkillSource;
  /** False when disabled in config or a requirement is missing. */
  available: boolean;
  /** Why it is not available. */
  reasons: string[];
  /** False when skills.entries.<name>.enabled is false. */
  enabled: boolean;
}

/** A folder that looked like a skill but could not be read. */
export interface SkillProblem {
  dir: string;
  source: SkillSource;
  error: string;
}
