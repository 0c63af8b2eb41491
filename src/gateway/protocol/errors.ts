import { type ErrorCode, TalonError } from "../../core/errors.ts";
import type { ErrorShape } from "./frames.ts";

/** Turns any thrown value into the wire error shape. Unknown errors become INTERNAL without internals. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof TalonError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.retryable ? { retryable: true } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      ...(err.details ? { details: err.details } : {}),
    };
  }
  return { code: "INTERNAL", message: "Internal error; see the gateway log" };
}

/** A wire error with a code and message (and optional details). */
export function wireError(code: ErrorCode, message: string, details?: Record<string, unknown>): TalonError {
  return new TalonError(code, message, details ? { details } : {});
}
