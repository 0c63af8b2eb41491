import { z } from "zod";
import { normalisePhoneList } from "../../core/phone.ts";
import { queueModeSchema } from "./agents.ts";

export const accessSchema = {
  dmPolicy: z.enum(["pairing", "allowlist", "open", "disabled"]).default("pairing"),
  allowFrom: z.array(z.string()).default([]).describe("Sender ids allowed to DM (allowlist policy)."),
  owners: z.array(z.string().min(1)).optional().describe(
    "Sender ids (exact ids, no @usernames) of the owner: their runs may approve tool calls, reach every " +
      "session and change prompt files. Unset: the ids in allowFrom count as owners (security audit warns).",
  ),
  groupPolicy: z.enum(["allowlist", "open", "disabled"]).default("allowlist"),
  groups: z.record(
    z.string(),
    z.strictObject({
      requireMention: z.boolean().default(true),
      allowFrom: z.array(z.string()).optional(),
      tools: z.strictObject({ deny: z.array(z.string()).default([]) }).optional(),
    }),
  ).default({}).describe("Allowed groups by id ('*' for any) with per-group settings."),
  queueMode: queueModeSchema.optional(),
};

export const telegramAccountSchema = z.strictObject({
  botToken: z.string().min(1).describe("Bot token. Use ${TELEGRAM_BOT_TOKEN}."),
  apiRoot: z.string().url().optional().describe("Bot API root (for tests or a local Bot API server)."),
  mode: z.enum(["polling", "webhook"]).default("polling"),
  webhookSecret: z.string().min(16).optional(),
  webhookUrl: z.string().url().optional(),
  mediaMaxBytes: z.number().int().min(1).default(20 * 1024 * 1024),
  ...accessSchema,
}).superRefine((acc, ctx) => {
  // Without it the webhook refuses every update: the account would silently stay stopped.
  if (acc.mode === "webhook" && !acc.webhookSecret) {
    ctx.addIssue({
      code: "custom",
      path: ["webhookSecret"],
      message: 'required when mode is "webhook" (16+ characters; Telegram sends it with every update)',
    });
  }
});

export const discordAccountSchema = z.strictObject({
  botToken: z.string().min(1).describe("Bot token. Use ${DISCORD_BOT_TOKEN}."),
  apiRoot: z.string().url().optional(),
  gatewayUrl: z.string().optional(),
  guilds: z.record(
    z.string(),
    z.strictObject({
      channels: z.array(z.string()).optional(),
      roles: z.array(z.string()).optional(),
      requireMention: z.boolean().default(true),
    }),
  ).default({}),
  ...accessSchema,
});

/**
 * A WhatsApp account: `web` links a phone as a device through Baileys (keys under
 * `~/.talon/credentials/whatsapp/<account>/`); `cloud` uses the WhatsApp Business Cloud API (webhook in at
 * `/whatsapp/<account>`, Graph API out).
 */
export const whatsappAccountSchema = z.strictObject({
  mode: z.enum(["web", "cloud"]).default("web"),
  selfChat: z.boolean().default(false).describe("Web: answer the owner's messages to their own number."),
  sendReadReceipts: z.boolean().default(false).describe("Mark admitted messages as read."),
  waWebSocketUrl: z.string().url().optional().describe("Web: WhatsApp Web socket URL (tests, proxies)."),
  phoneNumberId: z.string().regex(/^\d+$/).optional().describe("Cloud: the business phone number id."),
  accessToken: z.string().min(1).optional().describe("Cloud: Graph API token. Use ${WHATSAPP_ACCESS_TOKEN}."),
  appSecret: z.string().min(1).optional().describe("Cloud: app secret for X-Hub-Signature-256."),
  verifyToken: z.string().min(16).optional().describe("Cloud: the webhook verify token you chose."),
  graphApiRoot: z.string().url().default("https://graph.facebook.com/v21.0").describe(
    "Cloud: Graph API base URL (for tests or a proxy).",
  ),
  textChunkLimit: z.number().int().min(256).max(4096).default(4000),
  mediaMaxBytes: z.number().int().min(1).default(20 * 1024 * 1024),
  ...accessSchema,
  // Phone numbers in any spelling (or JIDs) are compared as E.164, for access and for owners alike.
  allowFrom: accessSchema.allowFrom.transform(normalisePhoneList),
  owners: z.array(z.string().min(1)).transform(normalisePhoneList).optional().describe(
    "Phone numbers of the owner (any spelling; compared as E.164). Unset: the numbers in allowFrom.",
  ),
}).superRefine((acc, ctx) => {
  if (acc.mode !== "cloud") return;
  for (const key of ["phoneNumberId", "accessToken", "appSecret", "verifyToken"] as const) {
    if (!acc[key]) ctx.addIssue({ code: "custom", path: [key], message: `cloud mode needs ${key}` });
  }
});

export const channelsSchema = z.strictObject({
  telegram: z.strictObject({ accounts: z.record(z.string(), telegramAccountSchema).default({}) }).optional(),
  discord: z.strictObject({ accounts: z.record(z.string(), discordAccountSchema).default({}) }).optional(),
  whatsapp: z.strictObject({
    accounts: z.record(
      z.string().regex(/^[\w-]{1,64}$/, "account ids are letters, digits, _ and -"),
      whatsappAccountSchema,
    )
      .default({}),
  }).optional(),
  webchat: z.strictObject({ enabled: z.boolean().default(true), queueMode: queueModeSchema.optional() })
    .prefault({}),
}).prefault({});

export type ChannelsConfig = z.infer<typeof channelsSchema>;
export type TelegramAccountConfig = z.infer<typeof telegramAccountSchema>;
export type DiscordAccountConfig = z.infer<typeof discordAccountSchema>;
export type WhatsAppAccountConfig = z.infer<typeof whatsappAccountSchema>;
