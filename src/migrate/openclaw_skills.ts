/**
 * Skills in an OpenClaw setup — managed ones in `<state>/skills/<name>/` and each agent's own in
 * `<workspace>/skills/<name>/` — are copied unchanged (Talon reads the same SKILL.md format) to
 * `<TALON_HOME>/skills/<name>/` and `<TALON_HOME>/workspace/<agentId>/skills/<name>/`. Only folders with a
 * valid SKILL.md are copied; symlinks and files over 1 MB are left out and reported.
 */
import { parseSkillFile } from "../skills/manifest.ts";
import type { AgentSource } from "./openclaw_config.ts";
import type { MapContext } from "./openclaw_values.ts";
import type { PlannedFile } from "./types.ts";

const MAX_FILE = 1024 * 1024;

/** Plans the copies of every skill found. */
export async function planSkills(
  from: string,
  agents: readonly AgentSource[],
  home: string,
  ctx: MapContext,
): Promise<PlannedFile[]> {
  const files: PlannedFile[] = [];
  files.push(...await planRoot(`${from}/skills`, `${home}/skills`, ctx));
  for (const a of agents) {
    files.push(...await planRoot(`${a.workspace}/skills`, `${home}/workspace/${a.id}/skills`, ctx));
  }
  return files;
}

async function planRoot(src: string, dest: string, ctx: MapContext): Promise<PlannedFile[]> {
  let names: string[];
  try {
    names = (await Array.fromAsync(Deno.readDir(src))).filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const out: PlannedFile[] = [];
  for (const name of names) {
    const dir = `${src}/${name}`;
    try {
      parseSkillFile(await Deno.readTextFile(`${dir}/SKILL.md`));
    } catch (err) {
      ctx.unmapped.push({ path: dir, reason: `not copied: ${(err as Error).message}` });
      continue;
    }
    out.push(...await copyTree(dir, `${dest}/${name}`, ctx));
  }
  return out;
}

async function copyTree(src: string, dest: string, ctx: MapContext): Promise<PlannedFile[]> {
  const out: PlannedFile[] = [];
  for (const e of (await Array.fromAsync(Deno.readDir(src))).sort((a, b) => a.name.localeCompare(b.name))) {
    const from = `${src}/${e.name}`;
    if (e.isSymlink) {
      ctx.unmapped.push({
        path: from,
        reason: "a symlink in a skill is not copied; copy its target by hand",
      });
    } else if (e.isDirectory) {
      out.push(...await copyTree(from, `${dest}/${e.name}`, ctx));
    } else if (e.isFile) {
      const size = (await Deno.stat(from)).size;
      if (size > MAX_FILE) {
        ctx.unmapped.push({ path: from, reason: `a ${size}-byte file in a skill is not copied (over 1 MB)` });
        continue;
      }
      out.push({ path: `${dest}/${e.name}`, kind: "workspace", from, content: await Deno.readFile(from) });
    }
  }
  return out;
}
