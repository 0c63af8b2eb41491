/** The skills as the agent runtime sees them: a prompt section and `/skill-name` commands (SkillsPort). */
import type { SkillsPort } from "../agent/types.ts";
import type { Config } from "../config/schema.ts";
import type { SkillCatalog } from "./catalog.ts";
import { skillPromptList } from "./prompt_list.ts";

const SLASH = /^\/([a-z0-9][a-z0-9_-]{0,63})(?:@\S+)?(?:\s+([\s\S]*))?$/i;

/** The text the model gets for `/name args`: which skill, where its instructions are, and the request. */
export function skillCommandText(name: string, file: string, args: string): string {
  return `Use the "${name}" skill for this request. Its instructions are in ${file}: read that file with the ` +
    `read tool first, then follow it.\n\nRequest: ${
      args.trim() || "(none given; ask what is needed if unclear)"
    }`;
}

export function createSkillsPort(
  deps: { catalog: SkillCatalog; config: () => Readonly<Config> },
): SkillsPort {
  return {
    async promptSection(workspace) {
      const { skills } = await deps.catalog.get(workspace || undefined);
      return skillPromptList(skills, deps.config().skills.prompt).text;
    },
    async expandCommand(text, workspace) {
      const m = SLASH.exec(text.trim());
      if (!m) return undefined;
      const name = m[1]!.toLowerCase();
      const { skills } = await deps.catalog.get(workspace || undefined);
      const skill = skills.find((s) => s.name === name);
      if (!skill || !skill.available || !skill.userInvocable) return undefined;
      return skillCommandText(skill.name, skill.file, m[2] ?? "");
    },
  };
}
