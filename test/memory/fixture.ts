/** A small memory corpus and a store + service over it, shared by the memory tests. */
import { validateConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { Clock } from "../../src/core/clock.ts";
import { createMemoryService, type MemoryService } from "../../src/memory/service.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createFakeEmbeddings, type FakeEmbeddingsServer } from "../fakes/fake_embeddings.ts";

export const CORPUS: Record<string, string> = {
  "MEMORY.md": "# Memory\n\n## People\nThe user's sister is called Zephyrine and lives in Lisbon.\n\n" +
    "## Preferences\nPrefers tea over coffee. Allergic to peanuts.\n",
  "memory/2025-01-10.md": "# 2025-01-10\n\nTook the car to the garage: the brakes squeal and need work.\n",
  "memory/2025-01-12.md": "# 2025-01-12\n\nBooked a dentist appointment for next Tuesday at 9.\n\n" +
    "Walked the dog in the park.\n",
  "memory/projects.md":
    "# Projects\n\n## Talon\nWorking on a self-hosted agent gateway written in Deno.\n\n" +
    "## Garden\nPlanting tomatoes and basil in April.\n",
};

export async function writeCorpus(dir: string, files: Record<string, string> = CORPUS): Promise<void> {
  await Deno.mkdir(`${dir}/memory`, { recursive: true });
  for (const [path, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${path}`, text);
}

export function memoryConfig(raw: Record<string, unknown>): Readonly<Config> {
  return validateConfig(raw, { env: {}, file: "test" });
}

export function fixedClock(now: number): Clock & { set(ms: number): void } {
  let t = now;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
  };
}

export interface MemoryRig {
  dir: string;
  store: Store;
  fake: FakeEmbeddingsServer;
  service: MemoryService;
  clock: ReturnType<typeof fixedClock>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A temp workspace per agent (`<dir>/ws/<agent>`), a file store, the fake embeddings server and a service. */
export async function memoryRig(
  opts: { embeddings?: boolean; extra?: (url: string) => Record<string, unknown> } = {},
): Promise<MemoryRig> {
  const dir = await Deno.makeTempDir({ prefix: "talon-memory-" });
  const store = await openStore({ url: `file:${dir}/talon.db` });
  const fake = createFakeEmbeddings();
  const clock = fixedClock(Date.UTC(2025, 0, 14, 12));
  const raw: Record<string, unknown> = {
    providers: { emb: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } },
    agents: { list: [{ id: "main" }, { id: "other" }] },
    ...(opts.embeddings === false
      ? {}
      : { memory: { embedding: { provider: "emb", model: "fake-embed", dimensions: 64 } } }),
    ...(opts.extra?.(fake.url) ?? {}),
  };
  const config = memoryConfig(raw);
  const service = createMemoryService({
    db: store.db,
    config: () => config,
    workspaceFor: (id) => `${dir}/ws/${id}`,
    clock,
    syncEveryMs: 0,
  });
  return {
    dir,
    store,
    fake,
    service,
    clock,
    async [Symbol.asyncDispose]() {
      store.close();
      await fake.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
