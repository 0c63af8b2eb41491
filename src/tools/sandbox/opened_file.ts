/**
 * Checks, inside the sandbox, that a file opened by path is the file the workspace check approved. The
 * path was resolved (symlinks included) before the sandbox ran, but a symlink can be swapped between that
 * check and the open, and Deno's permission check looks at the path string, not at where it leads. So
 * after opening: the path's real path must still be inside the workspace root, the file at that real path
 * must be the very file that is open (same device and inode), and a regular file must have exactly one
 * name (a hard link's other names could be anywhere; Talon cannot tell). Deno APIs only.
 */

/** Throws NotCapable unless `file` (opened from `path`) is `path`'s one name inside `root`. */
export async function checkOpenedFile(file: Deno.FsFile, path: string, root: string): Promise<void> {
  const opened = await file.stat();
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    throw changed(path);
  }
  if (real !== root && !real.startsWith(root.endsWith("/") ? root : `${root}/`)) {
    throw new Deno.errors.NotCapable(
      `${path} now resolves to ${real}, outside the workspace (it changed while in use); refused`,
    );
  }
  const named = await Deno.stat(real);
  if (named.dev !== opened.dev || named.ino !== opened.ino) throw changed(path);
  if (opened.isFile && (opened.nlink ?? 1) > 1) {
    throw new Deno.errors.NotCapable(
      `${path} has ${opened.nlink} hard links; file tools refuse hard-linked files because their other ` +
        "names may be outside the workspace",
    );
  }
}

function changed(path: string): Error {
  return new Deno.errors.NotCapable(`${path} changed while in use (a symlink or rename); refused`);
}

/** Writes all of `bytes` to a file or connection. */
export async function writeAll(
  to: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  for (let n = 0; n < bytes.length;) n += await to.write(bytes.subarray(n));
}

/** Reads up to `max` bytes from `file`'s current position. */
export async function readUpTo(file: Deno.FsFile, max: number): Promise<Uint8Array> {
  const buf = new Uint8Array(max);
  let n = 0;
  while (n < buf.length) {
    const r = await file.read(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return buf.subarray(0, n);
}
