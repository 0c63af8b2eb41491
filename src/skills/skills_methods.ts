/**
 * Gateway methods `skills.list` and `skills.info` (scope read): what the Control UI and clients show about
 * installed skills. Listing never reveals skill secrets (entries' env/apiKey are not part of a skill row).
 * Installing and enabling stay with the operator's CLI and config (admin), not these methods.
 */
import { z } from "zod";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { SkillCatalog } from "./catalog.ts";
import { skillsReport } from "./report.ts";
import type { Config } from "../config/schema.ts";
import { TalonError } from "../core/errors.ts";

const listParams = z.strictObject({ agentId: z.string().min(1).max(64).optional() }).prefault({});
const infoParams = z.strictObject({
  name: z.string().min(1).max(64),
  agentId: z.string().min(1).max(64).optional(),
});

export function createSkillsMethods(deps: {
  catalog: SkillCatalog;
  config: () => Readonly<Config>;
  /** The workspace folder of an agent (its own skills live in <workspace>/skills). */
  workspaceOf(agentId: string): string;
}): MethodDef<unknown>[] {
  const reportFor = async (agentId?: string) => {
    const config = deps.config();
    const id = agentId ?? config.agents.defaultAgent;
    if (!config.agents.list.some((a) => a.id === id)) {
      throw new TalonError("NOT_FOUND", `Unknown agent "${id}"`);
    }
    return skillsReport(await deps.catalog.get(deps.workspaceOf(id)), config.skills.prompt);
  };
  const list: MethodDef<z.infer<typeof listParams>> = {
    name: "skills.list",
    scope: "read",
    params: listParams,
    description: "Installed skills of an agent: availability, reasons, slash command, prompt cap.",
    handler: (p) => reportFor(p.agentId),
  };
  const info: MethodDef<z.infer<typeof infoParams>> = {
    name: "skills.info",
    scope: "read",
    params: infoParams,
    description: "One skill by name.",
    async handler(p) {
      const r = await reportFor(p.agentId);
      const skill = r.skills.find((s) => s.name === p.name);
      if (!skill) throw new TalonError("NOT_FOUND", `No skill named ${p.name}`);
      return skill;
    },
  };
  return [list, info] as MethodDef<unknown>[];
}
