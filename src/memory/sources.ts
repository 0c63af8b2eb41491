/**
 * The files memory indexes: `MEMORY.md` and every `*.md` below `memory/` in the agent's workspace.
 * Symlinks are skipped (they could point outside the workspace). Daily notes are `memory/YYYY-MM-DD.md`.
 */

export interface SourceFile {
  /** Path relative to the workspace, `/`-separated. */
  path: string;
  mtime: number;
  size: number;
}

/** Caps what one file may contribute to the index. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** The memory files of `workspace` (missing workspace → none). */
export async function listSources(workspace: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  const add = async (rel: string) => {
    try {
      const st = await Deno.lstat(`${workspace}/${rel}`);
      if (st.isFile) out.push({ path: rel, mtime: st.mtime?.getTime() ?? 0, size: st.size });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  };
  await add("MEMORY.md");
  const walk = async (rel: string, depth: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...await Array.fromAsync(Deno.readDir(`${workspace}/${rel}`))];
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return;
      throw err;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isSymlink || e.name.startsWith(".")) continue;
      if (e.isDirectory && depth < 4) await walk(`${rel}/${e.name}`, depth + 1);
      else if (e.isFile && e.name.endsWith(".md")) await add(`${rel}/${e.name}`);
    }
  };
  await walk("memory", 0);
  return out;
}

/** True for paths memory may read: `MEMORY.md` and `memory/…/*.md`. */
export function isMemoryPath(rel: string): boolean {
  if (rel.split("/").some((s) => s === ".." || s === "." || s === "")) return false;
  return rel === "MEMORY.md" || (rel.startsWith("memory/") && rel.endsWith(".md"));
}

/** Day number (days since 1970-01-01 UTC) of a daily note `memory/YYYY-MM-DD.md`, else null. */
export function dailyNoteDay(rel: string): number | null {
  const m = /^memory\/(\d{4})-(\d{2})-(\d{2})\.md$/.exec(rel);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? null : Math.floor(ms / 86_400_000);
}

/** `memory/YYYY-MM-DD.md` of the UTC day of `now`. */
export function dailyNotePath(now: number): string {
  return `memory/${new Date(now).toISOString().slice(0, 10)}.md`;
}
