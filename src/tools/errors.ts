/** Errors of tool calls. The registry turns every one of them into an `isError` result for the model. */
import { TalonError, type TalonErrorOptions } from "../core/errors.ts";

/**
 * Why a tool call failed:
 * - `NotCapable`: the call needs a permission it was not granted (path outside the workspace, host not listed…)
 * - `Denied`: policy or an approval said no
 * - `InvalidInput`: arguments did not match the schema or make no sense
 * - `NotFound`, `Timeout`, `Failed`: the operation itself failed
 */
export type ToolErrorKind = "NotCapable" | "Denied" | "InvalidInput" | "NotFound" | "Timeout" | "Failed";

const CODES = {
  NotCapable: "FORBIDDEN",
  Denied: "FORBIDDEN",
  InvalidInput: "INVALID_REQUEST",
  NotFound: "NOT_FOUND",
  Timeout: "TIMEOUT",
  Failed: "INTERNAL",
} as const;

/** A tool call failed in a way the model should hear about. `message` starts with the kind. */
export class ToolError extends TalonError {
  override name = "ToolError";
  readonly kind: ToolErrorKind;

  constructor(kind: ToolErrorKind, message: string, options: TalonErrorOptions = {}) {
    super(CODES[kind], `${kind}: ${message}`, options);
    this.kind = kind;
  }
}

/** Shorthand for a `NotCapable` error. */
export function notCapable(message: string): ToolError {
  return new ToolError("NotCapable", message);
}
