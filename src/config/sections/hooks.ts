import { z } from "zod";

export const hooksSchema = z.strictObject({
  enabled: z.boolean().default(false),
  token: z.string().min(16).optional().describe("Token for /hooks/*. Use ${TALON_HOOKS_TOKEN}."),
  allowSessionPrefixes: z.array(z.string().min(1).max(200)).default([]).describe(
    "Session keys a hook body's sessionKey may name, by prefix (e.g. 'hook:' or 'agent:main:ops:'). " +
      "Default none: hooks run only in hook:<name> sessions.",
  ),
}).prefault({});

export const cronSchema = z.strictObject({
  enabled: z.boolean().default(true),
  missedRuns: z.enum(["skip", "run-once"]).default("run-once"),
}).prefault({});

export type HooksConfig = z.infer<typeof hooksSchema>;
export type CronConfig = z.infer<typeof cronSchema>;
