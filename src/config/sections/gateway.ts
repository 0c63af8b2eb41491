import { z } from "zod";

export const DEFAULT_PORT = 18790;
/** The one minimum length of a gateway token (config, TALON_TOKEN, non-loopback binds, the audit). */
export const MIN_TOKEN_CHARS = 24;

export const gatewaySchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT)
    .describe("TCP port of the gateway (HTTP + WebSocket). 0 picks a free port."),
  bind: z.string().min(1).default("127.0.0.1")
    .describe(
      "Address to listen on. Anything but loopback requires auth (always on) and is flagged by audits.",
    ),
  auth: z.strictObject({
    token: z.string().min(MIN_TOKEN_CHARS, `must have at least ${MIN_TOKEN_CHARS} characters`).optional()
      .describe("Gateway admin token. Prefer ${TALON_TOKEN}; when unset one is generated on first start."),
    maxFailures: z.number().int().min(1).default(10)
      .describe("Failed auth attempts per remote address within the window before it is rate-limited."),
    failureWindowMs: z.number().int().min(1000).default(60_000),
    lockoutMs: z.number().int().min(1000).default(60_000),
    globalMaxFailures: z.number().int().min(1).default(100)
      .describe(
        "Failed auth attempts from all addresses together within the window before every login waits.",
      ),
  }).prefault({}),
  allowedOrigins: z.array(z.string().url()).default([])
    .describe("Browser origins allowed to open the WebSocket besides the gateway's own."),
  limits: z.strictObject({
    maxFrameBytes: z.number().int().min(1024).default(1024 * 1024),
    maxBodyBytes: z.number().int().min(1024).default(2 * 1024 * 1024),
    maxConnections: z.number().int().min(1).default(256),
    preAuthTimeoutMs: z.number().int().min(100).default(10_000),
    maxBufferedBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
    preAuthPerAddress: z.number().int().min(1).default(4)
      .describe("Unauthenticated WebSockets per address (all of loopback is one, IPv6 by /64)."),
    preAuthTotal: z.number().int().min(1).default(16).describe("Unauthenticated WebSockets in total."),
    preAuthOpenPerAddress: z.number().int().min(1).default(1)
      .describe("Of an address's unauthenticated WebSockets, how many are upgraded at once (the rest wait)."),
    preAuthOpenTotal: z.number().int().min(1).default(3)
      .describe("Unauthenticated WebSockets upgraded at once in total (each can cost ~200 MiB before auth)."),
  }).prefault({}),
  tickIntervalMs: z.number().int().min(1000).default(30_000)
    .describe("Interval of `tick` events sent to long-lived WebSocket clients."),
}).prefault({});

export type GatewayConfig = z.infer<typeof gatewaySchema>;
