/**
 * Parses a SKILL.md: YAML frontmatter between `---` lines, then a markdown body. Accepts the AgentSkills
 * keys and OpenClaw's (`metadata.openclaw.*`, also as a JSON string), without requiring any but `name` and
 * `description`. Throws TypeError with a message naming what is wrong.
 */
import { parse as parseYaml } from "yaml";
import type { SkillManifest, SkillRequirements } from "./types.ts";

/** Skill names: what a slash command and a folder can carry. */
export const SKILL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function parseSkillFile(text: string): SkillManifest {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text);
  if (!m) throw new TypeError("SKILL.md must start with YAML frontmatter between --- lines");
  let front: unknown;
  try {
    front = parseYaml(m[1]!, { maxAliasCount: 10 });
  } catch (err) {
    throw new TypeError(`SKILL.md frontmatter is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!front || typeof front !== "object" || Array.isArray(front)) {
    throw new TypeError("SKILL.md frontmatter must be a mapping (name: …, description: …)");
  }
  const fm = front as Record<string, unknown>;
  const name = typeof fm.name === "string" ? fm.name.trim() : "";
  if (!SKILL_NAME.test(name)) {
    throw new TypeError(
      `SKILL.md name ${
        JSON.stringify(fm.name ?? null)
      } must be 1–64 of a-z, 0-9, - and _, starting with a letter or digit`,
    );
  }
  const description = typeof fm.description === "string" ? fm.description.trim() : "";
  if (!description) throw new TypeError(`skill ${name}: SKILL.md needs a description`);
  const meta = metadataOf(fm.metadata);
  const oc = objectOf(meta.openclaw) ?? objectOf(meta.clawdbot) ?? {};
  const requires = objectOf(oc.requires) ?? objectOf(meta.requires) ?? objectOf(fm.requires) ?? {};
  return {
    name,
    description,
    os: strings(oc.os ?? meta.os ?? fm.os),
    userInvocable: bool(fm["user-invocable"] ?? oc["user-invocable"] ?? meta["user-invocable"], true),
    disableModelInvocation: bool(
      fm["disable-model-invocation"] ?? oc["disable-model-invocation"] ?? meta["disable-model-invocation"],
      false,
    ),
    primaryEnv: typeof oc.primaryEnv === "string" ? oc.primaryEnv : undefined,
    requires: requirementsOf(requires),
    frontmatter: fm,
    body: m[2]!,
  };
}

function requirementsOf(r: Record<string, unknown>): SkillRequirements {
  return {
    bins: strings(r.bins),
    anyBins: strings(r.anyBins),
    env: strings(r.env),
    config: strings(r.config),
  };
}

/** `metadata` is a mapping, or (OpenClaw writes it so) a one-line JSON object in a string. */
function metadataOf(v: unknown): Record<string, unknown> {
  if (typeof v === "string") {
    try {
      return objectOf(JSON.parse(v)) ?? {};
    } catch {
      throw new TypeError("SKILL.md metadata is a string but not a JSON object");
    }
  }
  return objectOf(v) ?? {};
}

function objectOf(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return v.trim() ? [v.trim()] : [];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => x.trim());
}

function bool(v: unknown, fallback: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return fallback;
}
