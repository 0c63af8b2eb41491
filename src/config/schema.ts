import { z } from "zod";
import { gatewaySchema } from "./sections/gateway.ts";
import { loggingSchema } from "./sections/logging.ts";
import { storeSchema } from "./sections/store.ts";
import { modelsSchema, providersSchema } from "./sections/providers.ts";
import { agentsSchema } from "./sections/agents.ts";
import { sessionSchema } from "./sections/session.ts";
import { channelsSchema } from "./sections/channels.ts";
import { toolsSchema } from "./sections/tools.ts";
import { sandboxSchema } from "./sections/sandbox.ts";
import { skillsSchema } from "./sections/skills.ts";
import { mcpSchema } from "./sections/mcp.ts";
import { cronSchema, hooksSchema } from "./sections/hooks.ts";
import { bindingsSchema } from "./sections/bindings.ts";
import { memorySchema } from "./sections/memory.ts";
import { mediaSchema } from "./sections/media.ts";

/** The whole of talon.json. Every section has defaults, so `{}` is a valid config. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  gateway: gatewaySchema,
  logging: loggingSchema,
  store: storeSchema,
  providers: providersSchema,
  models: modelsSchema,
  agents: agentsSchema,
  session: sessionSchema,
  channels: channelsSchema,
  tools: toolsSchema,
  sandbox: sandboxSchema,
  skills: skillsSchema,
  mcp: mcpSchema,
  hooks: hooksSchema,
  cron: cronSchema,
  bindings: bindingsSchema,
  memory: memorySchema,
  media: mediaSchema,
});

export type Config = z.infer<typeof configSchema>;
/** What a user writes: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;

/** JSON Schema (draft 2020-12) of talon.json, for editors and the Control UI's config form. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
