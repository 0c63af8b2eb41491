/**
 * `talon skills install <dir|.tar.gz|.zip>`: copies a skill into ~/.talon/skills/<name>/ after checking
 * every path first. Refused: absolute paths, `..`, NUL or backslashes in names, symlinks whose target leaves
 * the skill (or any path that would be written through a symlink), hard links and special files, archives
 * over the size caps, and a folder without a valid SKILL.md. The skill is unpacked next to its final place
 * and renamed into it, so a failed install leaves nothing behind.
 */
import { type ArchiveEntry, DEFAULT_ARCHIVE_LIMITS, readArchive } from "./archive.ts";
import { parseSkillFile } from "./manifest.ts";

export interface InstallResult {
  name: string;
  dir: string;
  files: number;
  replaced: boolean;
}

/** Installs the skill at `source` into `skillsDir`. Throws TypeError (bad input) or Error (I/O). */
export async function installSkill(
  source: string,
  o: { skillsDir: string; force?: boolean },
): Promise<InstallResult> {
  const info = await Deno.stat(source).catch(() => undefined);
  if (!info) throw new TypeError(`${source}: no such file or folder`);
  const raw = info.isDirectory ? await readFolder(source) : await readArchive(source);
  const entries = stripTopFolder(checkEntries(raw));
  const skillFile = entries.find((e) => e.path === "SKILL.md" && e.kind === "file");
  if (!skillFile) throw new TypeError(`${source}: no SKILL.md at the top of the skill`);
  const manifest = parseSkillFile(new TextDecoder().decode(skillFile.data));
  await Deno.mkdir(o.skillsDir, { recursive: true, mode: 0o700 });
  const final = `${o.skillsDir}/${manifest.name}`;
  const exists = await Deno.lstat(final).then(() => true, () => false);
  if (exists && !o.force) {
    throw new TypeError(`skill ${manifest.name} is already installed in ${final}; use --force to replace it`);
  }
  const staging = `${o.skillsDir}/.install-${crypto.randomUUID()}`;
  try {
    await writeEntries(staging, entries);
    if (exists) {
      const old = `${o.skillsDir}/.old-${crypto.randomUUID()}`;
      await Deno.rename(final, old);
      await Deno.rename(staging, final);
      await Deno.remove(old, { recursive: true });
    } else {
      await Deno.rename(staging, final);
    }
  } catch (err) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw err;
  }
  return {
    name: manifest.name,
    dir: final,
    files: entries.filter((e) => e.kind === "file").length,
    replaced: exists,
  };
}

/** A folder read as archive entries (symlinks kept as links, to be checked like an archive's). */
async function readFolder(root: string): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  let bytes = 0;
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel ? `${root}/${rel}` : root)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      const abs = `${root}/${path}`;
      if (out.length >= DEFAULT_ARCHIVE_LIMITS.maxEntries) throw new TypeError(`${root}: too many files`);
      if (e.isSymlink) out.push({ path, kind: "symlink", target: await Deno.readLink(abs), mode: 0o777 });
      else if (e.isDirectory) {
        out.push({ path, kind: "dir", mode: 0o755 });
        await walk(path);
      } else if (e.isFile) {
        const data = await Deno.readFile(abs);
        bytes += data.length;
        if (bytes > DEFAULT_ARCHIVE_LIMITS.maxBytes) throw new TypeError(`${root}: the skill is too large`);
        out.push({ path, kind: "file", data, mode: (await Deno.stat(abs)).mode ?? 0o644 });
      } else throw new TypeError(`${path}: special files are not accepted`);
    }
  };
  await walk("");
  return out;
}

/** Normalises and checks every path and link target; throws TypeError for the first bad one. */
export function checkEntries(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  const seen = new Set<string>();
  const links = new Set<string>();
  const out: ArchiveEntry[] = [];
  for (const e of entries) {
    const path = e.path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
    if (!path || path === ".") continue;
    if (path.includes("\0") || path.includes("\\")) {
      throw new TypeError(`${JSON.stringify(e.path)}: bad characters in a path`);
    }
    if (path.startsWith("/")) throw new TypeError(`${e.path}: absolute paths are not accepted`);
    const segments = path.split("/");
    if (segments.some((s) => s === ".." || s === "")) {
      throw new TypeError(`${e.path}: path traversal is not accepted`);
    }
    if (seen.has(path)) throw new TypeError(`${e.path}: appears twice in the archive`);
    seen.add(path);
    if (e.kind === "symlink") {
      const target = e.target ?? "";
      if (!target || target.startsWith("/")) {
        throw new TypeError(`${e.path}: a symlink to ${target || "nothing"} leaves the skill`);
      }
      const resolved = [...segments.slice(0, -1)];
      for (const s of target.split("/")) {
        if (s === "" || s === ".") continue;
        if (s === "..") {
          if (!resolved.length) throw new TypeError(`${e.path}: a symlink to ${target} leaves the skill`);
          resolved.pop();
        } else resolved.push(s);
      }
      links.add(path);
    }
    out.push({ ...e, path });
  }
  for (const e of out) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      if (links.has(parts.slice(0, i).join("/"))) {
        throw new TypeError(`${e.path}: would be written through the symlink ${parts.slice(0, i).join("/")}`);
      }
    }
  }
  return out;
}

/** Archives usually hold `<name>/SKILL.md`: when everything is under one folder, that folder is the skill. */
function stripTopFolder(entries: ArchiveEntry[]): ArchiveEntry[] {
  if (entries.some((e) => e.path === "SKILL.md")) return entries;
  const tops = new Set(entries.map((e) => e.path.split("/")[0]));
  if (tops.size !== 1) return entries;
  const top = [...tops][0]!;
  return entries.filter((e) => e.path !== top).map((e) => ({ ...e, path: e.path.slice(top.length + 1) }));
}

async function writeEntries(root: string, entries: readonly ArchiveEntry[]): Promise<void> {
  await Deno.mkdir(root, { mode: 0o700 });
  for (const e of entries) {
    if (e.kind === "dir") await Deno.mkdir(`${root}/${e.path}`, { recursive: true, mode: 0o755 });
  }
  for (const e of entries) {
    if (e.kind !== "file") continue;
    const dir = e.path.includes("/") ? `${root}/${e.path.slice(0, e.path.lastIndexOf("/"))}` : root;
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    // Owner read/write, executable bits kept (scripts), nothing for group/others writable.
    await Deno.writeFile(`${root}/${e.path}`, e.data ?? new Uint8Array(), {
      createNew: true,
      mode: (e.mode & 0o755) | 0o600,
    });
  }
  // Links last, after every file, so nothing is ever written through one.
  for (const e of entries) if (e.kind === "symlink") await Deno.symlink(e.target!, `${root}/${e.path}`);
}
