import { z } from "zod";

const toolFilter = z.strictObject({
  allow: z.array(z.string().min(1)).default([]).describe("Only these tools of the server (empty: all)."),
  deny: z.array(z.string().min(1)).default([]).describe("Never these tools of the server."),
}).prefault({});

const common = {
  enabled: z.boolean().default(true),
  tools: toolFilter,
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000).describe(
    "Per call; starting the server gets at least 30 s.",
  ),
};

const stdioServer = z.strictObject({
  ...common,
  command: z.string().min(1).describe("The server program (a child process, confined like exec)."),
  args: z.array(z.string()).default([]),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({})
    .describe("The only environment it gets beside PATH/HOME/LANG-style basics; use ${ENV} for secrets."),
  cwd: z.string().optional(),
  network: z.boolean().default(false)
    .describe("Keep the host's network inside the OS sandbox (off: loopback of its own only)."),
  readable: z.array(z.string().startsWith("/")).default([])
    .describe("Extra paths visible read-only inside the OS sandbox (the server's own files, caches)."),
  writable: z.array(z.string().startsWith("/")).default([])
    .describe("Paths it may write inside the OS sandbox."),
});

const httpServer = z.strictObject({
  ...common,
  url: z.url({ protocol: /^https?$/ }).describe("Streamable HTTP endpoint."),
  headers: z.record(z.string(), z.string()).default({}).describe(
    "Sent with every request; ${ENV} for tokens.",
  ),
  allowPrivate: z.boolean().default(false)
    .describe("Let this server be on a loopback/private address (the SSRF guard refuses those otherwise)."),
});

export const mcpServerSchema = z.union([stdioServer, httpServer]);
export type McpServerConfig = z.infer<typeof mcpServerSchema>;

export const mcpSchema = z.strictObject({
  servers: z.record(z.string(), mcpServerSchema).superRefine((servers, ctx) => {
    for (const id of Object.keys(servers)) {
      if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(id)) {
        ctx.addIssue({
          code: "custom",
          path: [id],
          message: "server ids: a-z, 0-9 and -, at most 32 characters",
        });
      }
    }
  }).default({}).describe("MCP tool servers by id; their tools appear as mcp__<id>__<tool>."),
  maxResultBytes: z.number().int().min(1_000).max(10_000_000).default(100_000),
  maxSchemaBytes: z.number().int().min(200).max(100_000).default(8_000),
  maxDescriptionChars: z.number().int().min(20).max(4_000).default(300),
}).prefault({});

export type McpConfig = z.infer<typeof mcpSchema>;

/** `tools.mcp`: approvals for MCP tool calls. */
export const mcpToolsSchema = z.strictObject({
  ask: z.enum(["off", "on-miss", "always"]).default("on-miss").describe(
    "off: policy alone decides; on-miss: ask a person unless pre-approved; always: ask for every call.",
  ),
  approved: z.array(z.string().min(1)).default([]).describe(
    "Pre-approved MCP tools for on-miss: mcp__<server>__<tool>, or mcp__<server>__* for all of a server.",
  ),
}).prefault({});
