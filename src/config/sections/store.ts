import { z } from "zod";

export const storeSchema = z.strictObject({
  url: z.string().min(1).optional()
    .describe("libSQL URL: file:/path/talon.db, libsql://host, or :memory:. Default: <home>/talon.db."),
  authToken: z.string().optional().describe("Auth token for a libsql:// server. Prefer ${ENV}."),
}).prefault({});

export type StoreConfig = z.infer<typeof storeSchema>;
