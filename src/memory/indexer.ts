/**
 * Keeps an agent's memory index in step with its files: a file whose mtime and size are unchanged is
 * skipped; a changed one is re-read, and only chunks whose content hash is new are inserted (and embedded);
 * deleted files leave the index. Vectors come from the embedding cache when the same text was embedded
 * before, else from the embedder in batches; chunks that could not be embedded stay keyword-searchable and
 * are retried on the next sync.
 */
import { chunkMarkdown, type ChunkOptions, hashText } from "./chunker.ts";
import type { Embedder } from "./embeddings.ts";
import type { MemoryIndexStore } from "./index_store.ts";
import { dailyNoteDay, listSources, MAX_SOURCE_BYTES } from "./sources.ts";

export interface SyncReport {
  files: number;
  changedFiles: number;
  removedFiles: number;
  chunksAdded: number;
  chunksRemoved: number;
  /** Vectors computed by the embedder in this sync. */
  embedded: number;
  /** Vectors taken from the embedding cache. */
  cached: number;
  /** Why vectors are missing, when the embedder failed. */
  embedError?: string;
  ms: number;
}

export interface IndexerDeps {
  store: MemoryIndexStore;
  embedder?: Embedder;
  chunking: ChunkOptions;
  now: () => number;
}

/** Brings the index of `agentId` up to date with `workspace`. `force` re-reads and re-chunks every file. */
export async function syncAgent(
  deps: IndexerDeps,
  agentId: string,
  workspace: string,
  opts: { force?: boolean; signal?: AbortSignal } = {},
): Promise<SyncReport> {
  const started = performance.now();
  const { store } = deps;
  const report: SyncReport = {
    files: 0,
    changedFiles: 0,
    removedFiles: 0,
    chunksAdded: 0,
    chunksRemoved: 0,
    embedded: 0,
    cached: 0,
    ms: 0,
  };
  if (opts.force) await store.clear(agentId);
  const known = await store.files(agentId);
  const sources = await listSources(workspace);
  report.files = sources.length;
  for (const src of sources) {
    opts.signal?.throwIfAborted();
    const prev = known.get(src.path);
    known.delete(src.path);
    if (prev && prev.mtime === src.mtime && prev.size === src.size) continue;
    const text = await readCapped(`${workspace}/${src.path}`, src.size);
    const hash = hashText(text);
    const row = { path: src.path, mtime: src.mtime, size: src.size, hash };
    if (prev && prev.hash === hash) {
      await store.touchFile(agentId, row, deps.now());
      continue;
    }
    const chunks = chunkMarkdown(text, deps.chunking);
    const r = await store.writeFile(agentId, row, chunks, dailyNoteDay(src.path), deps.now());
    report.changedFiles++;
    report.chunksAdded += r.added;
    report.chunksRemoved += r.removed;
  }
  for (const path of known.keys()) {
    report.chunksRemoved += await store.removeFile(agentId, path);
    report.removedFiles++;
  }
  if (deps.embedder) {
    try {
      await fillVectors(deps, deps.embedder, agentId, report, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      report.embedError = (err as Error).message;
    }
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** Embeds (or takes from the cache) every chunk of the agent that has no vector yet. */
async function fillVectors(
  deps: IndexerDeps,
  embedder: Embedder,
  agentId: string,
  report: SyncReport,
  signal?: AbortSignal,
): Promise<void> {
  const table = await deps.store.ensureVectors(agentId, embedder.space, embedder.dimensions);
  while (true) {
    signal?.throwIfAborted();
    const missing = await deps.store.missingVectors(agentId, table, 512);
    if (!missing.length) return;
    const cached = await deps.store.cachedEmbeddings(embedder.space, [
      ...new Set(missing.map((m) => m.hash)),
    ]);
    const todo = new Map<string, string>();
    for (const m of missing) if (!cached.has(m.hash)) todo.set(m.hash, m.text);
    report.cached += missing.length - [...missing].filter((m) => todo.has(m.hash)).length;
    if (todo.size) {
      const hashes = [...todo.keys()];
      const vectors = await embedder.embed([...todo.values()], signal);
      const fresh = hashes.map((hash, i) => ({ hash, vector: vectors[i]! }));
      await deps.store.cacheEmbeddings(embedder.space, fresh, deps.now());
      for (const f of fresh) cached.set(f.hash, f.vector);
      report.embedded += missing.filter((m) => todo.has(m.hash)).length;
    }
    await deps.store.writeVectors(table, missing.map((m) => ({ id: m.id, vector: cached.get(m.hash)! })));
  }
}

async function readCapped(path: string, size: number): Promise<string> {
  if (size <= MAX_SOURCE_BYTES) return await Deno.readTextFile(path);
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(MAX_SOURCE_BYTES);
    let n = 0;
    while (n < buf.length) {
      const r = await file.read(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    return new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    file.close();
  }
}
