/**
 * Builds an agent runtime with its providers, model router and tools over an open store. Used in each
 * shard worker (for runs) and on the main thread (for queries and immediate chat commands).
 */
import type { SkillsPort } from "../agent/types.ts";
import {
  type AgentRuntime,
  agentStoreFrom,
  createAgentRuntime,
  createStaticToolExecutor,
} from "../agent/mod.ts";
import type { TalonPaths } from "../config/paths.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Logger } from "../core/logger.ts";
import { createModelRouter } from "../providers/failover.ts";
import { createProviders } from "../providers/registry.ts";
import { createTranscriber } from "../providers/transcription.ts";
import type { Store } from "../store/mod.ts";
import { cachedTranscripts } from "../store/transcript_cache.ts";
import { createCurrentTimeTool } from "../tools/current_time.ts";
import type { ToolExecutor } from "../tools/types.ts";

export interface EngineDeps {
  config: Readonly<Config>;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  paths: TalonPaths;
  /** The tool executor; defaults to the harmless built-ins. */
  tools?: ToolExecutor;
  /** Threads building engines from the same config, which split `providers.<id>.maxConcurrent`. */
  concurrencyShare?: number;
  /** Skills for the runs' prompts and `/skill-name` commands. */
  skills?: SkillsPort;
}

/** The agent runtime wired to real providers (with failover) and the given tools. */
export function createAgentEngine(deps: EngineDeps): AgentRuntime {
  const providers = createProviders({
    config: deps.config,
    logger: deps.logger,
    concurrencyShare: deps.concurrencyShare,
  });
  const router = createModelRouter({
    providers,
    clock: deps.clock,
    logger: deps.logger,
    idleTimeoutMs: deps.config.agents.defaults.idleTimeoutMs,
  });
  const base = agentStoreFrom(deps.store);
  // A turn reads its history from memory and only the entries appended since (see transcript_cache.ts).
  const store = { ...base, transcripts: cachedTranscripts(base.transcripts) };
  const tools = deps.tools ?? createStaticToolExecutor([createCurrentTimeTool({ clock: deps.clock })]);
  const transcription = deps.config.media.transcription;
  let transcribe: ReturnType<typeof createTranscriber> | undefined;
  try {
    if (transcription) transcribe = createTranscriber(transcription, deps.config.providers);
  } catch (err) {
    deps.logger.warn(`voice notes will not be transcribed: ${(err as Error).message}`);
  }
  return createAgentRuntime({
    config: deps.config,
    store,
    models: router,
    tools,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    paths: deps.paths,
    skills: deps.skills,
    ...(transcribe ? { transcribe } : {}),
  });
}
