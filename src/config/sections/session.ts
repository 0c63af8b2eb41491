import { z } from "zod";

export const sessionSchema = z.strictObject({
  dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).default(
    "per-channel-peer",
  )
    .describe(
      "How direct messages map to sessions. per-channel-peer (default): one session per sender and channel; " +
        "main shares one session among every DM sender (only for a single-user setup).",
    ),
  identityLinks: z.record(z.string(), z.array(z.string())).default({})
    .describe("One person's ids across channels: name → ['telegram:123', 'discord:456']."),
}).prefault({});

export type SessionConfig = z.infer<typeof sessionSchema>;
