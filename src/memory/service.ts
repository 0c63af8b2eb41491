/**
 * Memory search for the agents of one process: indexes each agent's memory files on demand (at most every
 * `syncEveryMs` before a search, and on `index`), then answers hybrid (vector + bm25) or keyword-only
 * searches. Nothing is opened or loaded until the first call. Every call names one agent and only ever
 * sees that agent's rows: memory of one agent is not searchable from another.
 */
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../store/db.ts";
import { createEmbedder, type Embedder } from "./embeddings.ts";
import { createMemoryIndexStore, type MemoryIndexStore, vectorTableName } from "./index_store.ts";
import { syncAgent, type SyncReport } from "./indexer.ts";
import { listTranscriptSources, transcriptChunks } from "./transcript_sources.ts";
import { ftsQueries, MAX_K, type MemoryHit, rankHits } from "./ranking.ts";

export type { MemoryHit } from "./ranking.ts";
export type { SyncReport } from "./indexer.ts";

export interface MemoryStatus {
  agentId: string;
  enabled: boolean;
  mode: "hybrid" | "keyword";
  /** `provider/model@dims` of the embeddings, when configured. */
  embedding?: string;
  /** A sentence for people: what works and what does not. */
  note: string;
  files: number;
  chunks: number;
  vectors: number;
  lastSync?: SyncReport & { at: number };
  lastError?: string;
}

export interface MemorySearchResult {
  mode: "hybrid" | "keyword";
  hits: MemoryHit[];
  /** Set when the vector half could not run (e.g. the embeddings API failed). */
  note?: string;
}

export interface MemoryService {
  status(agentId: string): Promise<MemoryStatus>;
  index(agentId: string, opts?: { force?: boolean; signal?: AbortSignal }): Promise<SyncReport>;
  search(
    agentId: string,
    query: string,
    opts?: { k?: number; signal?: AbortSignal },
  ): Promise<MemorySearchResult>;
}

export interface MemoryServiceDeps {
  db: Db;
  config: () => Readonly<Config>;
  /** The agent's workspace directory. */
  workspaceFor(agentId: string): string;
  clock: Clock;
  /** Builds the embedder; defaults to the OpenAI-compatible one of `memory.embedding`. */
  embedder?: (config: Readonly<Config>) => Embedder | undefined;
  /** Minimum time between two syncs of one agent triggered by searches (default 2000 ms). */
  syncEveryMs?: number;
}

export const DEFAULT_K = 6;

/** Creates the memory service. */
export function createMemoryService(deps: MemoryServiceDeps): MemoryService {
  const syncEvery = deps.syncEveryMs ?? 2000;
  let store: MemoryIndexStore | undefined;
  let embedder: { value?: Embedder; error?: string } | undefined;
  const lastSync = new Map<string, SyncReport & { at: number }>();
  const inflight = new Map<string, Promise<SyncReport>>();
  const errors = new Map<string, string>();
  const queryVectors = new Map<string, Float32Array>();

  const getStore = () => store ??= createMemoryIndexStore(deps.db);
  const getEmbedder = () => {
    if (!embedder) {
      const cfg = deps.config();
      try {
        embedder = {
          value: deps.embedder ? deps.embedder(cfg) : cfg.memory.embedding &&
            createEmbedder({ embedding: cfg.memory.embedding, providers: cfg.providers, clock: deps.clock }),
        };
      } catch (err) {
        embedder = { error: (err as Error).message };
      }
    }
    return embedder;
  };

  const pageCache = createSyncPageCache(deps.db);

  const sync = (agentId: string, opts: { force?: boolean; signal?: AbortSignal } = {}) => {
    const running = inflight.get(agentId);
    if (running && !opts.force) return running;
    const cfg = deps.config();
    const p = (running ?? Promise.resolve()).catch(() => {}).then(() =>
      pageCache.during(() =>
        syncAgent(
          {
            store: getStore(),
            embedder: getEmbedder().value,
            chunking: { chunkTokens: cfg.memory.chunkTokens, overlapTokens: cfg.memory.overlapTokens },
            now: () => deps.clock.now(),
            ...(cfg.memory.includeTranscripts
              ? {
                transcripts: {
                  list: (id: string) => listTranscriptSources(deps.db, id),
                  chunks: (src) =>
                    transcriptChunks(deps.db, src, {
                      chunkTokens: cfg.memory.chunkTokens,
                      overlapTokens: cfg.memory.overlapTokens,
                    }),
                },
              }
              : {}),
          },
          agentId,
          deps.workspaceFor(agentId),
          opts,
        )
      )
    ).then((r) => {
      lastSync.set(agentId, { ...r, at: deps.clock.now() });
      if (r.embedError) errors.set(agentId, r.embedError);
      else errors.delete(agentId);
      return r;
    }).finally(() => {
      if (inflight.get(agentId) === p) inflight.delete(agentId);
    });
    inflight.set(agentId, p);
    return p;
  };

  const embedQuery = async (e: Embedder, query: string, signal?: AbortSignal) => {
    const hit = queryVectors.get(query);
    if (hit) return hit;
    const [v] = await e.embed([query], signal);
    queryVectors.set(query, v!);
    if (queryVectors.size > 100) queryVectors.delete(queryVectors.keys().next().value!);
    return v!;
  };

  return {
    async status(agentId) {
      const cfg = deps.config();
      const e = getEmbedder();
      const table = e.value ? vectorTableName(agentId, e.value.space) : undefined;
      const counts = await getStore().counts(agentId, table);
      const note = !cfg.memory.enabled
        ? "Memory is off (memory.enabled = false)."
        : e.error
        ? `Embeddings are misconfigured (${e.error}): keyword search only.`
        : !e.value
        ? "No embedding provider (memory.embedding): keyword search only."
        : `Hybrid search: vectors from ${e.value.space} and keywords (bm25).`;
      return {
        agentId,
        enabled: cfg.memory.enabled,
        mode: e.value ? "hybrid" : "keyword",
        ...(e.value ? { embedding: e.value.space } : {}),
        note,
        ...counts,
        ...(lastSync.has(agentId) ? { lastSync: lastSync.get(agentId) } : {}),
        ...(errors.has(agentId) ? { lastError: errors.get(agentId) } : {}),
      };
    },
    index: (agentId, opts) => sync(agentId, opts ?? {}),
    async search(agentId, query, opts = {}) {
      const cfg = deps.config().memory;
      const k = Math.min(Math.max(1, opts.k ?? DEFAULT_K), MAX_K);
      const last = lastSync.get(agentId);
      if (!last || deps.clock.now() - last.at >= syncEvery || inflight.has(agentId)) {
        await sync(agentId, { signal: opts.signal });
      }
      const s = getStore();
      // Chunks holding every word, when there are k of them; else any word (slow for common words).
      const keyword = await s.keyword(agentId, ftsQueries(query), k * 5, k);
      const e = getEmbedder().value;
      let vector: { id: number; score: number }[] = [];
      let note: string | undefined;
      if (e && query.trim()) {
        try {
          const v = await embedQuery(e, query, opts.signal);
          vector = await s.nearest(vectorTableName(agentId, e.space), v, k * 5);
        } catch (err) {
          if (opts.signal?.aborted) throw err;
          note = `Vector search unavailable (${(err as Error).message}); keyword results only.`;
        }
      }
      const chunks = await s.chunks([...new Set([...keyword, ...vector].map((x) => x.id))]);
      const hits = rankHits(keyword, vector, chunks, {
        weights: cfg.weights,
        recencyBoost: cfg.recencyBoost,
        recencyHalfLifeDays: cfg.recencyHalfLifeDays,
        today: Math.floor(deps.clock.now() / 86_400_000),
        k,
      });
      return { mode: e && !note ? "hybrid" : "keyword", hits, ...(note ? { note } : {}) };
    },
  };
}

/** Page cache of the store connection while memory is being indexed (KiB). */
const SYNC_CACHE_KIB = 65_536;

/**
 * Raises the connection's page cache while any sync runs and puts it back after the last: a large index
 * writes its B-trees (chunk hashes, the embedding cache) at random places, and with SQLite's default
 * ~2 MB most writes would first re-read their page. Servers (`libsql://`) without the PRAGMA are left as
 * they are.
 */
function createSyncPageCache(db: Db) {
  let running = 0;
  /** The size before the first sync (read once: a later read could see our own raised value). */
  let baseline: Promise<number | undefined> | undefined;
  /** Settles when the cache is raised; resolves to the size to put back (undefined: leave it). */
  let raised: Promise<number | undefined> = Promise.resolve(undefined);
  const raise = async () => {
    try {
      baseline ??= db.query<{ cache_size: number }>("PRAGMA cache_size").then((r) => r[0]?.cache_size);
      const saved = await baseline;
      if (saved !== undefined) await db.run(`PRAGMA cache_size = -${SYNC_CACHE_KIB}`);
      return saved;
    } catch {
      return undefined;
    }
  };
  return {
    async during<T>(fn: () => Promise<T>): Promise<T> {
      if (running++ === 0) raised = raise();
      const mine = raised;
      await mine;
      try {
        return await fn();
      } finally {
        if (--running === 0) {
          const saved = await mine;
          if (saved !== undefined) await db.run(`PRAGMA cache_size = ${saved}`).catch(() => {});
        }
      }
    },
  };
}
