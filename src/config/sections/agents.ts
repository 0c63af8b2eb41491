import { z } from "zod";

export const QUEUE_MODES = ["steer", "followup", "collect", "interrupt"] as const;
export const queueModeSchema = z.enum(QUEUE_MODES);

/** What a sender is told when the queue cap drops their message, by drop policy. */
export const DEFAULT_DROP_NOTICES = {
  old:
    "Too many messages were waiting, so this one was skipped. Please send it again if it still needs an answer.",
  new:
    "I'm still busy with your earlier messages, so this one was not taken. Please send it again in a moment.",
  summarize:
    "Too many messages were waiting; this one was condensed into a short summary for my next answer.",
} as const;

const dropNotice = (text: string) =>
  z.union([z.string().min(1), z.literal(false)]).default(text).describe("false: no notice");

export const modelChainSchema = z.strictObject({
  primary: z.string().regex(/^[^/\s]+\/\S+$/, "expected a model ref like openai/gpt-4.1-mini").optional(),
  fallbacks: z.array(z.string().regex(/^[^/\s]+\/\S+$/, "expected a model ref like anthropic/claude-x"))
    .default([]),
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM, e.g. 08:00");

/** A periodic turn in the agent's main session that works through HEARTBEAT.md (src/cron/heartbeat.ts). */
export const heartbeatSchema = z.strictObject({
  every: z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a duration like "30m", "2h" or "0m" (off)')
    .default("30m"),
  activeHours: z.strictObject({
    start: clockTime,
    end: clockTime,
    timezone: z.string().optional().describe("IANA time zone, e.g. Europe/Berlin; default UTC."),
  }).optional().describe("Only run between start and end (end before start wraps past midnight)."),
  target: z.union([
    z.literal("last").describe("The chat the main session last heard from."),
    z.literal("none").describe("Run, but never send anything."),
    z.strictObject({ channel: z.string(), to: z.string(), accountId: z.string().optional() }),
  ]).default("last"),
  prompt: z.string().optional().describe("Replaces the default heartbeat instruction."),
});

export const agentSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "lowercase letters, digits, - and _"),
  name: z.string().optional(),
  model: modelChainSchema.optional(),
  workspace: z.string().optional().describe("Workspace directory; default <home>/workspace/<id>."),
  dailyBudgetUsd: z.number().min(0).optional(),
  maxSteps: z.number().int().min(1).optional(),
  heartbeat: z.union([heartbeatSchema, z.literal(false)]).optional()
    .describe("This agent's heartbeat; false turns the default off for it."),
  tools: z.strictObject({
    profile: z.enum(["minimal", "messaging", "coding", "full"]).optional(),
    allow: z.array(z.string()).optional(),
    deny: z.array(z.string()).optional(),
  }).optional(),
});

export const agentsSchema = z.strictObject({
  defaults: z.strictObject({
    model: modelChainSchema.prefault({}),
    maxSteps: z.number().int().min(1).default(16),
    runTimeoutMs: z.number().int().min(1000).default(600_000),
    idleTimeoutMs: z.number().int().min(1000).default(120_000)
      .describe("Abort an attempt when the model stream is silent this long."),
    queueMode: queueModeSchema.default("followup"),
    debounceMs: z.number().int().min(0).default(0),
    queueCap: z.number().int().min(1).default(20),
    queueDrop: z.enum(["old", "new", "summarize"]).default("old"),
    queueDropNotice: z.strictObject({
      old: dropNotice(DEFAULT_DROP_NOTICES.old),
      new: dropNotice(DEFAULT_DROP_NOTICES.new),
      summarize: dropNotice(DEFAULT_DROP_NOTICES.summarize),
    }).prefault({}).describe("The one notice a sender gets when the queue cap drops their message."),
    heartbeat: heartbeatSchema.optional().describe("Heartbeat of every agent (unless it sets its own)."),
  }).prefault({}),
  list: z.array(agentSchema).default([{ id: "main" }]),
  defaultAgent: z.string().default("main"),
  maxConcurrent: z.number().int().min(1).default(1024).describe(
    "Global cap of runs in parallel. Runs mostly wait on the network; the CPU is the real limit (README).",
  ),
  shards: z.number().int().min(1).max(64).optional().describe("Number of shard workers; default CPU count."),
  perShardConcurrent: z.number().int().min(1).optional()
    .describe("Cap of runs in parallel on one shard worker; default maxConcurrent."),
}).prefault({});

export type AgentConfig = z.infer<typeof agentSchema>;
export type HeartbeatConfig = z.infer<typeof heartbeatSchema>;
export type AgentsConfig = z.infer<typeof agentsSchema>;
export type QueueMode = z.infer<typeof queueModeSchema>;
