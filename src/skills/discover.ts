/**
 * Finding skills: each root folder holds one folder per skill with a SKILL.md. Roots in precedence order:
 * `<workspace>/skills`, `<TALON_HOME>/skills`, then `skills.extraDirs`; the first skill of a name wins and
 * later ones are reported as shadowed.
 */
import type { SkillManifest, SkillProblem, SkillSource } from "./types.ts";

/** Largest SKILL.md read (the model reads it with the read tool; the catalog only needs the head). */
export const MAX_SKILL_FILE_BYTES = 256 * 1024;

/** The parser (and its YAML library) is loaded only once a SKILL.md is found. */
const loadParser = () => import("./manifest.ts").then((m) => m.parseSkillFile);

export interface SkillRoot {
  dir: string;
  source: SkillSource;
}

export interface FoundSkill {
  manifest: SkillManifest;
  dir: string;
  file: string;
  source: SkillSource;
}

/** The roots for an agent's workspace (when given), the Talon home and the configured extra folders. */
export function skillRoots(
  o: { workspace?: string; home: string; userHome?: string; extraDirs: readonly string[] },
): SkillRoot[] {
  const roots: SkillRoot[] = [];
  if (o.workspace) roots.push({ dir: `${o.workspace}/skills`, source: "workspace" });
  roots.push({ dir: `${o.home}/skills`, source: "user" });
  for (const d of o.extraDirs) {
    const dir = d.startsWith("~/") && o.userHome ? `${o.userHome}/${d.slice(2)}` : d;
    roots.push({ dir: dir.startsWith("/") ? dir : `${o.home}/${dir}`, source: "extra" });
  }
  return roots;
}

/** Reads every skill under the roots. Never throws for a broken skill: it becomes a problem. */
export async function scanSkills(
  roots: readonly SkillRoot[],
): Promise<{ found: FoundSkill[]; problems: SkillProblem[] }> {
  const found: FoundSkill[] = [];
  const problems: SkillProblem[] = [];
  const byName = new Map<string, FoundSkill>();
  for (const root of roots) {
    let names: string[];
    try {
      names = [];
      for await (const e of Deno.readDir(root.dir)) if (e.isDirectory || e.isSymlink) names.push(e.name);
    } catch {
      continue; // a missing root is normal
    }
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      const dir = `${root.dir}/${name}`;
      const file = `${dir}/SKILL.md`;
      let text: string;
      try {
        const info = await Deno.stat(file);
        if (!info.isFile) continue;
        if (info.size > MAX_SKILL_FILE_BYTES) {
          problems.push({
            dir,
            source: root.source,
            error: `SKILL.md is ${info.size} bytes (at most ${MAX_SKILL_FILE_BYTES})`,
          });
          continue;
        }
        text = await Deno.readTextFile(file);
      } catch {
        continue; // not a skill folder
      }
      let manifest: SkillManifest;
      try {
        manifest = (await loadParser())(text);
      } catch (err) {
        problems.push({ dir, source: root.source, error: (err as Error).message });
        continue;
      }
      const first = byName.get(manifest.name);
      if (first) {
        problems.push({
          dir,
          source: root.source,
          error: `skill ${manifest.name} is shadowed by ${first.dir}`,
        });
        continue;
      }
      const skill = { manifest, dir, file, source: root.source };
      byName.set(manifest.name, skill);
      found.push(skill);
    }
  }
  return { found, problems };
}

/**
 * A cheap fingerprint of the roots (folder and SKILL.md modification times and sizes): when it changes, the
 * skills are read again. This is how edits apply on the next turn without a restart.
 */
export async function rootsSignature(roots: readonly SkillRoot[]): Promise<string> {
  const parts: string[] = [];
  for (const root of roots) {
    try {
      const info = await Deno.stat(root.dir);
      parts.push(`${root.dir}@${info.mtime?.getTime()}`);
      for await (const e of Deno.readDir(root.dir)) {
        try {
          const s = await Deno.stat(`${root.dir}/${e.name}/SKILL.md`);
          parts.push(`${e.name}:${s.mtime?.getTime()}:${s.size}`);
        } catch { /* not a skill */ }
      }
    } catch {
      parts.push(`${root.dir}@none`);
    }
  }
  return parts.sort().join("|");
}
