/**
 * Domain errors. Built-in TypeError/RangeError are used for bad arguments; these classes carry a
 * stable `code` that maps onto the closed set of wire error codes (see gateway/protocol/errors.ts).
 */

/** The closed set of error codes that may travel on the wire. */
export const ERROR_CODES = [
  "INVALID_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_FOUND",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "PROTOCOL_MISMATCH",
  "CONFLICT",
  "UNAVAILABLE",
  "TIMEOUT",
  "ABORTED",
  "BUDGET_EXCEEDED",
  "PROVIDER_ERROR",
  "INTERNAL",
] as const;

export type ErrorCode = typeof ERROR_CODES[number];

/** Codes a client may retry without changing its request. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["RATE_LIMITED", "UNAVAILABLE", "TIMEOUT"]);

export interface TalonErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

/** Base class of Talon's domain errors: a message for people and a code for machines. */
export class TalonError extends Error {
  override name = "TalonError";
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: TalonErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

/** The configuration could not be read or is invalid. The gateway refuses to start on it. */
export class ConfigError extends TalonError {
  override name = "ConfigError";
  constructor(message: string, options: TalonErrorOptions = {}) {
    super("INVALID_REQUEST", message, options);
  }
}

/** The store failed (open, migrate, query). */
export class StoreError extends TalonError {
  override name = "StoreError";
  constructor(message: string, options: TalonErrorOptions = {}) {
    super("UNAVAILABLE", message, options);
  }
}

/** Returns a one-line description of any thrown value, never throwing itself. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return String(err);
  } catch {
    return "unknown error";
  }
}
