/**
 * Gateway WebSocket frames (JSON text). Shaped like OpenClaw protocol 4 so its clients can connect:
 *   request  {type:"req", id, method, params?}
 *   response {type:"res", id, ok, payload? | error}
 *   event    {type:"event", event, payload?, seq?}
 */
import { z } from "zod";
import { ERROR_CODES } from "../../core/errors.ts";

export const PROTOCOL_VERSION = 4;
export const MIN_PROTOCOL_VERSION = 3;

export const requestFrameSchema = z.object({
  type: z.literal("req"),
  id: z.string().min(1).max(200),
  method: z.string().min(1).max(200),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof requestFrameSchema>;

export const errorShapeSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorShape = z.infer<typeof errorShapeSchema>;

export const responseFrameSchema = z.object({
  type: z.literal("res"),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: errorShapeSchema.optional(),
});
export type ResponseFrame = z.infer<typeof responseFrameSchema>;

export const eventFrameSchema = z.object({
  type: z.literal("event"),
  event: z.string(),
  payload: z.unknown().optional(),
  seq: z.number().int().optional(),
});
export type EventFrame = z.infer<typeof eventFrameSchema>;

/** Params of the first frame, `connect`. Unknown fields from newer clients are tolerated. */
export const connectParamsSchema = z.object({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.object({
    id: z.string().max(200).optional(),
    version: z.string().max(200).optional(),
    platform: z.string().max(200).optional(),
    deviceFamily: z.string().max(200).optional(),
    mode: z.string().max(200).optional(),
    instanceId: z.string().max(200).optional(),
    displayName: z.string().max(200).optional(),
  }).passthrough().optional(),
  caps: z.array(z.string()).optional(),
  auth: z.object({ token: z.string().max(4096).optional(), password: z.string().max(4096).optional() })
    .passthrough().optional(),
  role: z.string().max(100).optional(),
  scopes: z.array(z.string().max(100)).max(50).optional(),
  device: z.object({
    id: z.string().max(200),
    publicKey: z.string().max(200),
    signature: z.string().max(400),
    signedAt: z.number(),
    nonce: z.string().max(200),
  }).optional(),
}).passthrough();
export type ConnectParams = z.infer<typeof connectParamsSchema>;
