import { z } from "zod";

export const loggingSchema = z.strictObject({
  level: z.enum(["debug", "info", "warn", "error"]).default("info"),
  file: z.boolean().default(true).describe("Write JSON lines to <home>/logs/talon.log."),
  maxFileBytes: z.number().int().min(1024).default(10 * 1024 * 1024),
  maxFiles: z.number().int().min(1).max(100).default(5),
  console: z.boolean().default(true),
}).prefault({});

export type LoggingConfig = z.infer<typeof loggingSchema>;
