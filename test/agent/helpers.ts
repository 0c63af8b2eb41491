/** Shared set-up for agent runtime tests: a :memory: store, a temp home, a manual clock, a bus recorder. */
import type { Transcriber } from "../../src/agent/media_input.ts";
import { agentStoreFrom, createAgentRuntime, createStaticToolExecutor } from "../../src/agent/mod.ts";
import type { AgentRuntime } from "../../src/agent/run.ts";
import type { AgentStore } from "../../src/agent/run_exec.ts";
import type { AgentEvent, ChatEvent, ModelStreamer } from "../../src/agent/types.ts";
import { type Config, type ConfigInput, configSchema } from "../../src/config/schema.ts";
import { createTestClock, type TestClock } from "../helpers/fake_clock.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { BusEvent } from "../../src/core/types.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import type { ToolDefinition, ToolExecutor } from "../../src/tools/types.ts";
import { createScriptedModel, type ScriptedModel, type ScriptStep } from "../fakes/scripted_model.ts";

/** A clock whose timers fire only on `tick` (the suite's one fake clock, test/helpers/fake_clock.ts). */
export interface ManualClock extends TestClock {
  readonly pending: number;
}

export function manualClock(start = Date.UTC(2025, 4, 6, 12, 0, 0)): ManualClock {
  const clock = createTestClock({ start });
  return Object.defineProperty(clock, "pending", { get: () => clock.pendingTimers() }) as ManualClock;
}

export interface Harness {
  runtime: AgentRuntime;
  store: Store;
  model: ScriptedModel;
  clock: ManualClock;
  config: Config;
  events: BusEvent[];
  home: string;
  agentEvents(runId: string): AgentEvent[];
  chatEvents(runId: string): ChatEvent[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: ConfigInput;
  steps?: ScriptStep[];
  // deno-lint-ignore no-explicit-any
  tools?: ToolDefinition<any>[];
  executor?: ToolExecutor;
  storeUrl?: string;
  home?: string;
  /** Use this streamer (e.g. the real router) instead of the scripted model. */
  models?: (clock: ManualClock) => ModelStreamer;
  /** Voice-note transcriber handed to the runtime. */
  transcribe?: Transcriber;
  /** Wraps the runtime's repositories (e.g. to count reads). */
  wrapStore?: (store: AgentStore) => AgentStore;
}

/** Default config: one agent "main" on echo/echo unless overridden. */
export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const config = configSchema.parse(
    opts.config ?? { agents: { defaults: { model: { primary: "test/model-a" } } } },
  );
  const clock = manualClock();
  const store = await openStore({ url: opts.storeUrl ?? ":memory:", now: clock.now });
  const ownHome = !opts.home;
  const home = opts.home ?? await Deno.makeTempDir({ prefix: "talon-agent-" });
  const model = createScriptedModel(opts.steps ?? []);
  const bus = createEventBus((err) => {
    throw err;
  });
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const runtime = createAgentRuntime({
    config,
    store: (opts.wrapStore ?? ((s) => s))(agentStoreFrom(store, clock.now)),
    models: opts.models ? opts.models(clock) : model,
    tools: opts.executor ?? createStaticToolExecutor(opts.tools ?? []),
    bus,
    clock,
    paths: { workspaceDir: `${home}/workspace` },
    ...(opts.transcribe ? { transcribe: opts.transcribe } : {}),
  });
  return {
    runtime,
    store,
    model,
    clock,
    config,
    events,
    home,
    agentEvents: (runId) =>
      events.filter((e) => e.event === "agent" && e.runId === runId).map((e) => e.payload as AgentEvent),
    chatEvents: (runId) =>
      events.filter((e) => e.event === "chat" && e.runId === runId).map((e) => e.payload as ChatEvent),
    async close() {
      await runtime.close();
      store.close();
      if (ownHome) await Deno.remove(home, { recursive: true });
    },
  };
}

/** Resolves once `cond()` is true, checking after each macrotask (no wall-clock timing). */
export async function until(cond: () => boolean, what = "condition", maxTurns = 20000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}
