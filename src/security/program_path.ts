/**
 * Which file a program name means. A bare name (`git`) is looked up on the gateway's PATH — absolute
 * PATH entries only — and a name with a slash is taken relative to the working directory; either way the
 * answer is the real path (symlinks resolved), so what a person approves and what runs are the same file.
 */

/** The PATH used when the gateway's environment has none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The real absolute path of `program`, or undefined when no executable file by that name is found.
 * `path` is the PATH to search (DEFAULT_PATH when undefined).
 */
export function resolveProgram(program: string, o: { path?: string; cwd: string }): string | undefined {
  if (program === "" || program.includes("\0")) return undefined;
  if (program.includes("/")) {
    return executableRealPath(program.startsWith("/") ? program : `${o.cwd}/${program}`);
  }
  for (const dir of (o.path ?? DEFAULT_PATH).split(":")) {
    if (!dir.startsWith("/")) continue; // "" and relative entries would mean the working directory
    const found = executableRealPath(`${dir.replace(/\/+$/, "")}/${program}`);
    if (found) return found;
  }
  return undefined;
}

/** The real path of `path` when it is an executable regular file. */
function executableRealPath(path: string): string | undefined {
  try {
    const real = Deno.realPathSync(path);
    const info = Deno.statSync(real);
    if (!info.isFile) return undefined;
    if (info.mode !== null && (info.mode & 0o111) === 0) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** True when `path` is `dir` or below it (both absolute and normalised). */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/** The last path segment. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
