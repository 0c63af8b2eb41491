/**
 * The one workspace path resolver. Every file tool goes through `resolveWorkspacePath`: it refuses `..`,
 * absolute paths outside the workspace and symlinks that escape it, and returns a canonical path.
 */
import { ToolError } from "./errors.ts";

export interface ResolvedPath {
  /** Canonical absolute path (symlinks of existing parts resolved). */
  path: string;
  /** Path relative to the workspace, for messages ("." for the workspace itself). */
  relative: string;
  /** Whether the path exists. */
  exists: boolean;
  /** The canonical workspace root it was checked against (the sandbox re-checks against it). */
  root: string;
}

/**
 * Resolves `input` (relative to the workspace, or absolute inside it) to a canonical path inside the
 * canonical `workspace`. `verb` names the operation in error messages ("read", "write"…).
 * Throws ToolError NotCapable or InvalidInput.
 */
export async function resolveWorkspacePath(
  workspace: string,
  input: string,
  verb: string,
): Promise<ResolvedPath> {
  if (typeof input !== "string" || input.trim() === "") {
    throw new ToolError("InvalidInput", `${verb}: a path is required`);
  }
  if (input.includes("\0")) throw new ToolError("InvalidInput", `${verb}: the path contains a NUL byte`);
  const root = await canonicalRoot(workspace);
  const segments = input.split(/[\\/]+/);
  if (segments.includes("..")) {
    throw new ToolError(
      "NotCapable",
      `${verb} ${input}: ".." is not allowed in paths; use a path inside the workspace`,
    );
  }
  const absolute = input.startsWith("/") ? normalize(input) : normalize(`${root}/${input}`);
  const lexicalRoot = normalize(workspace);
  if (!isInside(absolute, root) && !isInside(absolute, lexicalRoot)) {
    throw new ToolError("NotCapable", `${verb} ${input} is outside the workspace`);
  }
  const relativeLexical = isInside(absolute, root)
    ? relative(root, absolute)
    : relative(lexicalRoot, absolute);
  const { real, exists } = await canonicalize(`${root}/${relativeLexical}`);
  if (!isInside(real, root)) {
    throw new ToolError(
      "NotCapable",
      `${verb} ${input} resolves through a symlink to ${real}, outside the workspace`,
    );
  }
  return { path: real, relative: relative(root, real) || ".", exists, root };
}

/** The canonical form of the workspace directory (it must exist). */
export async function canonicalRoot(workspace: string): Promise<string> {
  try {
    return await Deno.realPath(workspace);
  } catch (err) {
    throw new ToolError("NotFound", `the workspace ${workspace} does not exist`, { cause: err });
  }
}

/** True when `path` is `root` or below it. Both must be normalised absolute paths. */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : root + "/");
}

/** Collapses `//`, `.` and `..` segments of an absolute path (`..` at the root stays at the root). */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

function relative(root: string, path: string): string {
  return path === root ? "" : path.slice(root.length + (root.endsWith("/") ? 0 : 1));
}

/**
 * Resolves symlinks of the longest existing prefix of `path` and appends the rest. A dangling symlink in
 * the last position is resolved through its target text so that writing through it cannot escape.
 */
async function canonicalize(path: string): Promise<{ real: string; exists: boolean }> {
  const parts = normalize(path).split("/").slice(1);
  for (let i = parts.length; i >= 0; i--) {
    const prefix = "/" + parts.slice(0, i).join("/");
    try {
      const real = await Deno.realPath(prefix);
      const rest = parts.slice(i);
      if (rest.length > 0) {
        const next = normalize(`${real}/${rest[0]}`);
        const link = await readLinkOrUndefined(next);
        if (link !== undefined) {
          const target = link.startsWith("/") ? link : `${real}/${link}`;
          return { real: normalize([target, ...rest.slice(1)].join("/")), exists: false };
        }
      }
      return { real: normalize([real, ...rest].join("/")), exists: rest.length === 0 };
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return { real: normalize(path), exists: false };
}

async function readLinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readLink(path);
  } catch {
    return undefined;
  }
}
