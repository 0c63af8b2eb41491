/**
 * The notice a sender gets when the queue cap drops their message, chosen by the drop policy. Messages
 * skipped by an `interrupt` get none: their text goes into the interrupting turn.
 */
import type { AgentsConfig } from "../config/sections/agents.ts";
import type { DropCause } from "./scheduler_types.ts";

/** The configured notice for a drop, or undefined when none is sent. */
export function dropNotice(
  notices: AgentsConfig["defaults"]["queueDropNotice"],
  cause: DropCause,
): string | undefined {
  if (cause.kind !== "cap") return undefined;
  const text = notices[cause.policy];
  return text === false ? undefined : text;
}
