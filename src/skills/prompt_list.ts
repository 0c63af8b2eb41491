/**
 * The skills list in the system prompt: one line per skill the model may use (name, description, where its
 * SKILL.md is), capped in count and bytes so the whole prompt stays within its budget. The model reads a
 * skill's SKILL.md with the `read` tool when a task calls for it; bodies never enter the prompt.
 */
import type { Skill } from "./types.ts";

export interface SkillListCaps {
  maxSkills: number;
  maxBytes: number;
}

export interface SkillPromptList {
  /** The prompt section, or "" when no skill is offered. */
  text: string;
  /** Names listed. */
  shown: string[];
  /** Names left out by the caps. */
  omitted: string[];
}

const HEADER = "## Skills\n" +
  "Skills are instructions for particular tasks. When a task matches one, first read its SKILL.md with the " +
  "read tool (the path below), then follow it.";

const MAX_DESCRIPTION = 200;

/** Skills the model may be offered: available, enabled and not `disable-model-invocation`. */
export function offeredSkills(skills: readonly Skill[]): Skill[] {
  return skills.filter((s) => s.available && !s.disableModelInvocation);
}

/** Builds the capped list. */
export function skillPromptList(skills: readonly Skill[], caps: SkillListCaps): SkillPromptList {
  const offered = offeredSkills(skills);
  if (!offered.length) return { text: "", shown: [], omitted: [] };
  const enc = new TextEncoder();
  let bytes = enc.encode(HEADER).length;
  const lines: string[] = [];
  const shown: string[] = [];
  const omitted: string[] = [];
  const omittedNote = (n: number) =>
    `\n(${n} more skill${n === 1 ? "" : "s"} not listed: the list is capped)`;
  for (const s of offered) {
    const desc = s.description.replace(/\s+/g, " ");
    const line =
      `\n- ${s.name}: ${desc.length > MAX_DESCRIPTION ? `${desc.slice(0, MAX_DESCRIPTION - 1)}…` : desc}` +
      ` (${s.file})`;
    const size = enc.encode(line).length;
    const reserve = enc.encode(omittedNote(offered.length)).length;
    if (shown.length >= caps.maxSkills || bytes + size + reserve > caps.maxBytes) {
      omitted.push(s.name);
      continue;
    }
    lines.push(line);
    shown.push(s.name);
    bytes += size;
  }
  if (!shown.length) return { text: "", shown, omitted };
  return {
    text: HEADER + lines.join("") + (omitted.length ? omittedNote(omitted.length) : ""),
    shown,
    omitted,
  };
}
