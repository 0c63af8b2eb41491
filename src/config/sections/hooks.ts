import { z } from "zod";

export const hooksSchema = z.strictObject({
  enabled: z.boolean().default(false),
  token: z.string().min(16).optional().describe("Token for /hooks/*. Use ${TALON_HOOKS_TOKEN}."),
}).prefault({});

export const cronSchema = z.strictObject({
  enabled: z.boolean().default(true),
  missedRuns: z.enum(["skip", "run-once"]).default("run-once"),
}).prefault({});

export type HooksConfig = z.infer<typeof hooksSchema>;
export type CronConfig = z.infer<typeof cronSchema>;
