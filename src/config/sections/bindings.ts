import { z } from "zod";

/** What a binding matches on. Every given field must match; an empty match binds a whole channel (or all). */
export const bindingMatchSchema = z.strictObject({
  channel: z.string().optional(),
  accountId: z.string().optional(),
  peer: z.strictObject({ kind: z.enum(["direct", "group", "channel"]), id: z.string() }).optional(),
  guildId: z.string().optional(),
  roles: z.array(z.string()).optional().describe("Matches when the sender has any of these roles."),
});

export const bindingSchema = z.strictObject({
  agentId: z.string(),
  match: bindingMatchSchema.prefault({}),
});

/**
 * Multi-agent bindings: which agent answers which messages. Matched by tier (peer > guild+roles >
 * guild > account > channel > default), first match in config order within a tier.
 */
export const bindingsSchema = z.array(bindingSchema).default([]);

export type Binding = z.infer<typeof bindingSchema>;
export type BindingMatch = z.infer<typeof bindingMatchSchema>;
