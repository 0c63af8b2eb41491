/** Types of the agent runtime's public face. */
import type { Principal } from "../core/principal.ts";
import type { ModelRequest, StreamEvent } from "../providers/types.ts";
import type { MediaRef } from "../core/types.ts";

/** One attempt of a model call, as reported by the router (one per provider/model tried). */
export interface ModelAttempt {
  provider: string;
  model: string;
  ok: boolean;
  /** ProviderErrorKind of a failed attempt (the failover reason). */
  errorKind?: string;
  ms: number;
}

/**
 * What the runtime needs from the providers: stream one model call along a chain of model refs
 * (`provider/model`), failing over as the router sees fit. The providers' router satisfies it.
 * Throws ProviderError when every model in the chain failed.
 */
export interface ModelStreamer {
  stream(
    chain: string[],
    req: Omit<ModelRequest, "model">,
    hooks?: { onAttempt?(a: ModelAttempt): void },
  ): AsyncIterable<StreamEvent>;
}

export type RunStream = "lifecycle" | "assistant" | "tool";

/** A streamed run event, published on the bus as event `"agent"` with `sessionKey` and `runId` set. */
export interface AgentEvent {
  runId: string;
  /** 1, 2, … within the run. */
  seq: number;
  stream: RunStream;
  ts: number;
  data: Record<string, unknown>;
}

export type ChatState = "delta" | "final" | "error" | "aborted";

/** A chat-client event, published on the bus as event `"chat"`. `message.content` is the text so far. */
export interface ChatEvent {
  runId: string;
  sessionKey: string;
  seq: number;
  state: ChatState;
  message: { role: "assistant"; content: string };
  errorMessage?: string;
}

/** Where a run's input came from. `channel` is e.g. `telegram`, `webchat`, `hook`, `http`. */
export interface RunSource {
  channel: string;
  [key: string]: unknown;
}

export interface RunInput {
  agentId: string;
  sessionKey: string;
  text: string;
  /** Photos, voice notes and files received with the message (stored under the media directory). */
  media?: MediaRef[];
  /** A caller-chosen id (e.g. from the inbox); a new one otherwise. */
  runId?: string;
  source?: RunSource;
  /**
   * Who caused the run, decided by the server at the entry point (src/security/principal_of.ts); what
   * the run may do follows from it (src/security/capabilities.ts). Unset means `system` (Talon itself).
   */
  principal?: Principal;
  /** Aborts the run like `abort(runId)`. */
  signal?: AbortSignal;
}

export type RunStatus = "ok" | "error" | "aborted";

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Bytes of the largest request sent to the provider in this run (system + messages + tools, JSON). */
  requestBytes: number;
  /** True when a provider reported no usage and tokens are chars/4 estimates. */
  estimated: boolean;
}

export interface RunResult {
  runId: string;
  agentId: string;
  sessionKey: string;
  sessionId: string;
  status: RunStatus;
  /** The reply to deliver: the final answer, a command's reply, or an explanation of what went wrong. */
  text: string;
  error?: { code: string; message: string };
  /** Set when the input was a chat command (`new`, `status`, …) handled without the model. */
  command?: string;
  usage: RunUsage;
  /** Model calls made. */
  steps: number;
  /** Provider attempts made (≥ steps when failover happened). */
  attempts: number;
  /** The model ref that produced the last answer. */
  model?: string;
  startedAt: number;
  endedAt: number;
}

export interface RunHandle {
  runId: string;
  sessionKey: string;
  done: Promise<RunResult>;
}

/** What the runtime needs from skills (src/skills implements it; without it, runs have no skills). */
export interface SkillsPort {
  /** The skills section of the system prompt for a run whose workspace is `workspace` ("" for none). */
  promptSection(workspace: string): Promise<string>;
  /**
   * `/skill-name args` for a user-invocable, available skill → the text the model gets instead; undefined
   * for any other text.
   */
  expandCommand(text: string, workspace: string): Promise<string | undefined>;
}
