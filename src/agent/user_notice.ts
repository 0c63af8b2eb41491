/**
 * What a chat user is told when a run fails: one friendly sentence, never provider ids, HTTP codes or
 * cooldown milliseconds. The details stay in the error (log, timeline, transcript notice, Control UI).
 */
import { describeError, TalonError } from "../core/errors.ts";
import { ProviderError } from "../providers/types.ts";
import type { RunResult, RunStatus } from "./types.ts";

const TRANSIENT = new Set(["rate_limit", "overload", "timeout", "network", "unknown"]);

/** "in about a minute", "in about 5 minutes", "in a few seconds". */
export function aboutWhen(ms: number): string {
  if (ms <= 15_000) return "in a few seconds";
  const minutes = Math.round(ms / 60_000);
  if (minutes <= 1) return "in about a minute";
  if (minutes < 60) return `in about ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours <= 1 ? "in about an hour" : `in about ${hours} hours`;
}

/** How long until a model of the failed chain may answer again, from the attempts' cooldowns. */
function waitMs(err: ProviderError): number {
  const attempts = (err.details?.attempts ?? []) as { cooldownMs?: number; retryAfterMs?: number }[];
  const waits = attempts.flatMap((a) => [a.cooldownMs ?? 0, a.retryAfterMs ?? 0]).filter((ms) => ms > 0);
  if (err.retryAfterMs) waits.push(err.retryAfterMs);
  return waits.length ? Math.min(...waits) : 60_000;
}

/** The sentence a chat user gets for a failed run. */
export function userErrorText(err: unknown): string {
  if (err instanceof ProviderError) {
    if (TRANSIENT.has(err.kind)) {
      return `The model is unavailable right now; I'll be able to answer again ${aboutWhen(waitMs(err))}.`;
    }
    if (err.kind === "auth") {
      return "The model cannot be reached because of a setup problem; the owner can see the details.";
    }
    if (err.kind === "context_overflow") {
      return "This conversation has grown too long for the model; send /new to start a fresh one.";
    }
    return "The model could not answer this message; the owner can see the details.";
  }
  // The budget refusal is already written for the user.
  if (err instanceof TalonError && err.code === "BUDGET_EXCEEDED") return err.message;
  if (err instanceof TalonError) return userErrorTextForCode(err.code);
  return userErrorTextForCode("INTERNAL");
}

/** The sentence for a failure known only by its wire code (e.g. a turn that failed in the lanes). */
export function userErrorTextForCode(code: string): string {
  switch (code) {
    case "TIMEOUT":
      return "Sorry — this took too long and was stopped. Please try again.";
    case "PROVIDER_ERROR":
    case "RATE_LIMITED":
    case "UNAVAILABLE":
      return "The model is unavailable right now; I'll be able to answer again in about a minute.";
    case "BUDGET_EXCEEDED":
      return "Today's budget for this assistant is used up; it will answer again tomorrow.";
    default:
      return "Sorry — something went wrong while answering this message. Please try again.";
  }
}

/**
 * How a run that threw ends: `aborted` when its own abort was a stop request, else `error` with the code
 * of a TalonError (INTERNAL for anything else) and one friendly sentence for the user (`userText`); the
 * details stay in `error` (log, timeline, transcript).
 */
export function runFailure(
  reason: unknown,
  aborted: boolean,
): { status: RunStatus; error: NonNullable<RunResult["error"]>; userText?: string } {
  if (reason instanceof TalonError && reason.code === "ABORTED" && aborted) {
    return { status: "aborted", error: { code: "ABORTED", message: reason.message } };
  }
  const code = reason instanceof TalonError ? reason.code : "INTERNAL";
  const message = reason instanceof TalonError ? reason.message : describeError(reason);
  return {
    status: "error",
    error: { code, message },
    userText: code === "TIMEOUT" ? message : userErrorText(reason),
  };
}
