import { z } from "zod";
import { mcpToolsSchema } from "./mcp.ts";

const principalTools = z.strictObject({
  profile: z.enum(["minimal", "messaging", "coding", "full"]).optional()
    .describe("Replaces the principal's default set (user: messaging + read/list; others: minimal)."),
  allow: z.array(z.string()).default([]).describe("Tools or groups added for this principal."),
  deny: z.array(z.string()).default([]).describe("Tools or groups removed for this principal."),
}).optional();

export const toolsSchema = z.strictObject({
  profile: z.enum(["minimal", "messaging", "coding", "full"]).default("coding"),
  allow: z.array(z.string()).default([]).describe(
    "Tools or groups (group:fs…) added to the profile; '*' for all.",
  ),
  deny: z.array(z.string()).default([]).describe("Tools or groups removed; deny wins over allow."),
  byPrincipal: z.strictObject({
    user: principalTools,
    group: principalTools,
    hook: principalTools,
    api: principalTools,
  }).default({}).describe(
    "Widens the default tools of non-owner runs. Never beyond the agent's own policy; never owner-only tools.",
  ),
  sandbox: z.enum(["worker", "process"]).default("worker")
    .describe(
      "Run tool calls in permission-scoped Workers, or in child `deno run` processes with --allow-* flags.",
    ),
  exec: z.strictObject({
    allowPrograms: z.array(z.string()).default([]).describe(
      "Programs the exec tool may run: a bare name means that name as found on the gateway's PATH " +
        "(never a program inside the workspace), a path means that file.",
    ),
    allowShell: z.boolean().default(false).describe("Allow `sh -c` (a shell)."),
    ask: z.enum(["off", "on-miss", "always"]).default("on-miss"),
    approvals: z.array(z.string()).default([]).describe(
      "Pre-approved 'program arg…' patterns; * and a trailing ** match operands, never options " +
        "(write options out: 'git log --oneline *').",
    ),
    approvalTimeoutMs: z.number().int().min(1000).default(300_000),
    timeoutMs: z.number().int().min(100).default(60_000),
    maxOutputBytes: z.number().int().min(1024).default(200_000),
    envAllow: z.array(z.string()).default(["PATH", "HOME", "LANG"]),
    confine: z.enum(["auto", "bwrap", "off"]).default("auto").describe(
      "Run exec programs inside bubblewrap (Linux): auto = when bwrap works here, bwrap = always " +
        "(refuse to run without it), off = never (doctor and security audit report it).",
    ),
    networkPrograms: z.array(z.string()).default([]).describe(
      "Programs that may have the network (exec network:true) without asking; others ask each time.",
    ),
    readOnlyPaths: z.array(z.string().regex(/^\//, "must be an absolute path")).default([]).describe(
      "Extra absolute paths visible read-only inside the confinement (e.g. a toolchain under /opt).",
    ),
  }).prefault({}),
  mcp: mcpToolsSchema,
  web: z.strictObject({
    allowHosts: z.array(z.string()).default(["*"]),
    maxBytes: z.number().int().min(1024).default(2 * 1024 * 1024),
    timeoutMs: z.number().int().min(100).default(20_000),
    testAllowLoopback: z.boolean().default(false)
      .describe("TEST ONLY: let web_fetch reach loopback. Reported by doctor and security audit."),
  }).prefault({}),
  browser: z.strictObject({
    executablePath: z.string().optional(),
    idleMs: z.number().int().min(1000).default(300_000),
  }).prefault({}),
}).prefault({});

export type ToolsConfig = z.infer<typeof toolsSchema>;
