/**
 * The skills of an agent's workspace and the shared folders, read once and again whenever a SKILL.md or a
 * skills folder changes (checked at most every `maxAgeMs`, default 1 s), so edits and installs apply on the
 * next turn without a restart.
 */
import type { Config } from "../config/schema.ts";
import { createBinLookup, gateSkill } from "./gating.ts";
import { rootsSignature, scanSkills, type SkillRoot, skillRoots } from "./discover.ts";
import type { Skill, SkillProblem } from "./types.ts";

export interface SkillSet {
  skills: Skill[];
  problems: SkillProblem[];
  roots: SkillRoot[];
}

export interface SkillCatalog {
  /** The skills seen from `workspace` (undefined: only the shared folders). */
  get(workspace?: string): Promise<SkillSet>;
}

export interface SkillCatalogDeps {
  config: () => Readonly<Config>;
  /** TALON_HOME. */
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  now?: () => number;
  maxAgeMs?: number;
  os?: string;
}

export function createSkillCatalog(deps: SkillCatalogDeps): SkillCatalog {
  const now = deps.now ?? Date.now;
  const maxAge = deps.maxAgeMs ?? 1000;
  const cache = new Map<string, { checkedAt: number; signature: string; set: SkillSet }>();
  return {
    async get(workspace) {
      const key = workspace ?? "";
      const hit = cache.get(key);
      if (hit && now() - hit.checkedAt < maxAge) return hit.set;
      const config = deps.config();
      const roots = skillRoots({
        workspace,
        home: deps.home,
        userHome: deps.env.HOME,
        extraDirs: config.skills.extraDirs,
      });
      const signature = await rootsSignature(roots);
      if (hit && hit.signature === signature) {
        hit.checkedAt = now();
        return hit.set;
      }
      const { found, problems } = await scanSkills(roots);
      const hasBin = createBinLookup(deps.env.PATH);
      const skills = found.map(({ manifest, dir, file, source }): Skill => ({
        ...manifest,
        dir,
        file,
        source,
        ...gateSkill(manifest, {
          env: deps.env,
          config,
          os: deps.os ?? Deno.build.os,
          entries: config.skills.entries,
          hasBin,
        }),
      }));
      const set = { skills, problems, roots };
      // Bounded: one entry per agent workspace plus the shared view.
      if (cache.size > 256) cache.clear();
      cache.set(key, { checkedAt: now(), signature, set });
      return set;
    },
  };
}
