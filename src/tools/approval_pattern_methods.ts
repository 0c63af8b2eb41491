/**
 * Gateway methods for exec approval patterns: `approvals.patterns` (read: the patterns of the config,
 * those added at run time and the allow-always entries), `approvals.patterns.add` and
 * `approvals.patterns.remove` (admin: a pattern lets matching exec calls run without asking anyone).
 * Patterns are matched by approval_patterns.ts like `tools.exec.approvals`; they never grant the network.
 * Every change is audited as `approval.pattern`.
 */
import { z } from "zod";
import type { ToolsConfig } from "../config/sections/tools.ts";
import { TalonError } from "../core/errors.ts";
import type { MethodDef } from "../gateway/methods/registry.ts";
import type { AuditRepo } from "../store/audit.ts";
import type { ApprovalRepo } from "./approval_repo.ts";

/** A pattern as people write it: a program (bare name or absolute path, no `*`) and argument tokens. */
export const approvalPattern = z.string().trim().min(1, "must not be empty").max(500)
  .transform((p) => p.split(/\s+/).join(" "))
  .refine((p) => !p.split(" ")[0]!.includes("*"), "the program (first word) must not contain *")
  .refine((p) => {
    const program = p.split(" ")[0]!;
    return program.startsWith("/") || !program.includes("/");
  }, "the program must be a bare name (looked up on the gateway's PATH) or an absolute path");

const addParams = z.strictObject({ pattern: approvalPattern });
const removeParams = z.union([
  z.strictObject({ pattern: z.string().min(1).max(500) }),
  z.strictObject({ argv: z.array(z.string()).min(1).max(200) }),
]);

export interface ApprovalPatternDeps {
  repo: ApprovalRepo;
  config(): Readonly<ToolsConfig>;
  audit?: AuditRepo;
}

/** The method definitions. */
export function approvalPatternMethods(deps: ApprovalPatternDeps): MethodDef<unknown>[] {
  const list: MethodDef<Record<string, never>> = {
    name: "approvals.patterns",
    scope: "read",
    params: z.strictObject({}).prefault({}) as unknown as z.ZodType<Record<string, never>>,
    description: "Exec approval patterns (config and added), allow-always entries, ask mode, allowPrograms.",
    handler: async () => {
      const exec = deps.config().exec;
      return {
        ask: exec.ask,
        allowPrograms: exec.allowPrograms,
        config: exec.approvals,
        patterns: (await deps.repo.patterns()).map(({ value, ...rest }) => ({ pattern: value, ...rest })),
        allowAlways: (await deps.repo.allowlistEntries()).map(({ value, ...rest }) => ({
          argv: value,
          ...rest,
        })),
      };
    },
  };
  const add: MethodDef<z.infer<typeof addParams>> = {
    name: "approvals.patterns.add",
    scope: "admin",
    params: addParams,
    description: "Adds an exec approval pattern ('program arg…'; * and a trailing ** match operands).",
    handler: async (p, ctx) => {
      const by = `credential:${ctx.credentialId}`;
      const added = await deps.repo.addPattern(p.pattern, by);
      if (added) await record("added", by, { pattern: p.pattern });
      return { pattern: p.pattern, added };
    },
  };
  const remove: MethodDef<z.infer<typeof removeParams>> = {
    name: "approvals.patterns.remove",
    scope: "admin",
    params: removeParams,
    description: "Removes an added pattern ({pattern}) or an allow-always entry ({argv}).",
    handler: async (p, ctx) => {
      const removed = "pattern" in p
        ? await deps.repo.removePattern(p.pattern)
        : await deps.repo.removeFromAllowlist(p.argv);
      if (!removed) {
        const configured = "pattern" in p && deps.config().exec.approvals.includes(p.pattern.trim());
        throw new TalonError(
          "NOT_FOUND",
          configured
            ? `"${p.pattern}" comes from tools.exec.approvals in the config: change it there`
            : "No such pattern or allow-always entry",
        );
      }
      await record("removed", `credential:${ctx.credentialId}`, p);
      return { removed: true };
    },
  };
  const record = (outcome: string, actor: string, detail: Record<string, unknown>) =>
    deps.audit?.record({ kind: "approval.pattern", outcome, actor, detail });
  return [list, add, remove] as MethodDef<unknown>[];
}
