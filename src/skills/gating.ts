/**
 * Gating: a skill is offered to the model only when it is enabled and everything it requires is there —
 * programs on PATH (`bins`, `anyBins`), environment variables (`env`, from the process or the skill's
 * config entry), config paths (`config`) and the operating system (`os`). Otherwise it is listed as
 * unavailable with the reasons.
 */
import type { SkillsConfig } from "../config/sections/skills.ts";
import type { SkillManifest } from "./types.ts";
import { resolveProgram } from "../security/program_path.ts";

export interface GateContext {
  env: Readonly<Record<string, string | undefined>>;
  /** The whole validated config, for `requires.config` paths. */
  config: unknown;
  /** Deno.build.os; `windows` counts as `win32` as skills write it. */
  os: string;
  entries: SkillsConfig["entries"];
  hasBin(name: string): boolean;
}

export interface GateResult {
  enabled: boolean;
  available: boolean;
  reasons: string[];
}

/** Decides whether a skill can be offered. */
export function gateSkill(m: SkillManifest, ctx: GateContext): GateResult {
  const entry = ctx.entries[m.name];
  const enabled = entry?.enabled !== false;
  const reasons: string[] = [];
  if (!enabled) reasons.push(`disabled in skills.entries.${m.name}.enabled`);
  const os = ctx.os === "windows" ? "win32" : ctx.os;
  if (m.os.length && !m.os.includes(os)) reasons.push(`runs on ${m.os.join(", ")}, not ${os}`);
  const missingBins = m.requires.bins.filter((b) => !ctx.hasBin(b));
  if (missingBins.length) {
    reasons.push(`missing program${missingBins.length > 1 ? "s" : ""}: ${missingBins.join(", ")}`);
  }
  if (m.requires.anyBins.length && !m.requires.anyBins.some((b) => ctx.hasBin(b))) {
    reasons.push(`needs one of: ${m.requires.anyBins.join(", ")}`);
  }
  const given = new Set(Object.keys(entry?.env ?? {}));
  if (entry?.apiKey && m.primaryEnv) given.add(m.primaryEnv);
  const missingEnv = m.requires.env.filter((v) => !ctx.env[v] && !given.has(v));
  if (missingEnv.length) reasons.push(`missing environment: ${missingEnv.join(", ")}`);
  const missingConfig = m.requires.config.filter((p) => !truthyPath(ctx.config, p));
  if (missingConfig.length) reasons.push(`config not set: ${missingConfig.join(", ")}`);
  return { enabled, available: reasons.length === 0, reasons };
}

function truthyPath(root: unknown, path: string): boolean {
  let v: unknown = root;
  for (const key of path.split(".")) {
    if (!v || typeof v !== "object") return false;
    v = (v as Record<string, unknown>)[key];
  }
  return Array.isArray(v) ? v.length > 0 : Boolean(v);
}

/** A PATH lookup (`which`, through the exec approvals' resolveProgram) that remembers its answers. */
export function createBinLookup(pathEnv: string | undefined): (name: string) => boolean {
  const seen = new Map<string, boolean>();
  return (name) => {
    let found = seen.get(name);
    if (found === undefined) {
      found = pathEnv !== undefined && !name.includes("/") &&
        resolveProgram(name, { path: pathEnv, cwd: "/" }) !== undefined;
      seen.set(name, found);
    }
    return found;
  };
}
