/**
 * Matching a call against `tools.exec.allowPrograms` and approval patterns, by real paths and by
 * operands:
 * - a program written with a slash means that file (real path); a bare name means that name as found on
 *   the gateway's PATH — never any file that happens to have the same basename — and never a program
 *   inside the agent's workspace;
 * - in a pattern `program arg…`, a literal token matches itself; a token with `*` matches operands only:
 *   an argument starting with `-` (an option) is matched only by a pattern token that starts with `-`
 *   (`--format=*`), or after a literal `--`. A trailing `**` matches any remaining operands.
 */
import { resolveProgram } from "../security/program_path.ts";
import { isWithin } from "../security/program_path.ts";

/** Where bare names are looked up, and the workspace whose programs never match one. */
export interface MatchScope {
  /** The gateway's PATH. */
  path?: string;
  /** The agent's canonical workspace. */
  workspace?: string;
}

/** True when the list entry `entry` names the program at real path `program`. */
export function programMatches(entry: string, program: string, scope: MatchScope): boolean {
  if (!program.startsWith("/") || entry === "") return false;
  if (entry.includes("/")) return entry.startsWith("/") && resolveProgram(entry, { cwd: "/" }) === program;
  if (scope.workspace && isWithin(program, scope.workspace)) return false;
  return resolveProgram(entry, { path: scope.path, cwd: "/" }) === program;
}

/** True when `program` (a real path) is listed in `allowPrograms`. */
export function programAllowed(
  allowPrograms: readonly string[],
  program: string,
  scope: MatchScope,
): boolean {
  return allowPrograms.some((p) => programMatches(p, program, scope));
}

/** Matches a resolved argv (argv[0] a real path) against a pattern "program arg…". */
export function matchesPattern(pattern: string, argv: readonly string[], scope: MatchScope): boolean {
  const tokens = pattern.trim().split(/\s+/).filter(Boolean);
  const [program, ...rest] = tokens;
  if (!program || !argv[0] || !programMatches(program, argv[0], scope)) return false;
  let afterDashDash = false;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (t === "**" && i === rest.length - 1) {
      return argv.slice(i + 1).every((a) => {
        const ok = afterDashDash || !isOption(a);
        if (a === "--") afterDashDash = true;
        return ok;
      });
    }
    const a = argv[i + 1];
    if (a === undefined || !tokenMatches(t, a, afterDashDash)) return false;
    if (a === "--") afterDashDash = true;
  }
  return rest.length + 1 === argv.length;
}

function isOption(arg: string): boolean {
  return arg.startsWith("-") && arg !== "-";
}

function tokenMatches(token: string, arg: string, afterDashDash: boolean): boolean {
  if (!token.includes("*")) return token === arg;
  if (isOption(arg) && !afterDashDash && !token.startsWith("-")) return false;
  return new RegExp("^" + token.split("*").map(escapeRe).join(".*") + "$", "s").test(arg);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
