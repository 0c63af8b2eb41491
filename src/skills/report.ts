/** What `talon skills list|info|check` and the `skills.*` gateway methods show about a skill set. */
import type { SkillsConfig } from "../config/sections/skills.ts";
import type { SkillSet } from "./catalog.ts";
import { skillPromptList } from "./prompt_list.ts";
import type { Skill } from "./types.ts";

export interface SkillRow {
  name: string;
  description: string;
  source: Skill["source"];
  dir: string;
  file: string;
  enabled: boolean;
  available: boolean;
  reasons: string[];
  userInvocable: boolean;
  modelInvocable: boolean;
  /** In the system prompt's list (false when unavailable, not model-invocable, or over the cap). */
  inPrompt: boolean;
}

export interface SkillsReport {
  skills: SkillRow[];
  problems: SkillSet["problems"];
  roots: SkillSet["roots"];
  prompt: { listed: number; omitted: string[]; maxSkills: number; maxBytes: number };
}

export function skillsReport(set: SkillSet, caps: SkillsConfig["prompt"]): SkillsReport {
  const list = skillPromptList(set.skills, caps);
  const shown = new Set(list.shown);
  return {
    skills: set.skills.map((s) => ({
      name: s.name,
      description: s.description,
      source: s.source,
      dir: s.dir,
      file: s.file,
      enabled: s.enabled,
      available: s.available,
      reasons: s.reasons,
      userInvocable: s.userInvocable,
      modelInvocable: !s.disableModelInvocation,
      inPrompt: shown.has(s.name),
    })),
    problems: set.problems,
    roots: set.roots,
    prompt: { listed: list.shown.length, omitted: list.omitted, ...caps },
  };
}

/** The text of `talon skills list`. */
export function formatSkillsList(r: SkillsReport): string {
  if (!r.skills.length && !r.problems.length) {
    return `No skills installed. Folders searched: ${r.roots.map((x) => x.dir).join(", ")}`;
  }
  const lines = r.skills.map((s) =>
    `${s.available ? "ok  " : "OFF "} ${s.name.padEnd(20)} ${s.source.padEnd(9)} ${
      s.description.slice(0, 70)
    }` +
    (s.available ? (s.userInvocable ? `  (/${s.name})` : "") : `  — ${s.reasons.join("; ")}`)
  );
  for (const p of r.problems) lines.push(`ERR  ${p.dir}: ${p.error}`);
  if (r.prompt.omitted.length) {
    lines.push(
      `Prompt list capped (skills.prompt.maxSkills ${r.prompt.maxSkills}, maxBytes ${r.prompt.maxBytes}): ` +
        `${r.prompt.listed} listed, not listed: ${r.prompt.omitted.join(", ")}`,
    );
  }
  return lines.join("\n");
}

/** The text of `talon skills info <name>`. */
export function formatSkillInfo(s: SkillRow, frontmatter: Record<string, unknown>): string {
  return [
    `${s.name} (${s.source}) — ${s.available ? "available" : `unavailable: ${s.reasons.join("; ")}`}`,
    s.description,
    `Folder: ${s.dir}`,
    `Slash command: ${s.userInvocable ? `/${s.name}` : "no (user-invocable: false)"}`,
    `Offered to the model: ${s.modelInvocable ? (s.inPrompt ? "yes" : "no (over the prompt cap)") : "no"}`,
    `Frontmatter: ${JSON.stringify(frontmatter)}`,
  ].join("\n");
}
