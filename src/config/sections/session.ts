import { z } from "zod";

export const sessionSchema = z.strictObject({
  dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).default("main")
    .describe("How direct messages map to sessions."),
  identityLinks: z.record(z.string(), z.array(z.string())).default({})
    .describe("One person's ids across channels: name → ['telegram:123', 'discord:456']."),
}).prefault({});

export type SessionConfig = z.infer<typeof sessionSchema>;
