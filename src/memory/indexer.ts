/**
 * Keeps an agent's memory index in step with its files: a file whose mtime and size are unchanged is
 * skipped; a changed one is re-read, and only chunks whose content hash is new are inserted (and embedded);
 * deleted files leave the index. Vectors come from the embedding cache when the same text was embedded
 * before, else from the embedder in batches; chunks that could not be embedded stay keyword-searchable and
 * are retried on the next sync.
 */
import { type Chunk, chunkMarkdown, type ChunkOptions, hashText } from "./chunker.ts";
import type { Embedder } from "./embeddings.ts";
import type { FileWrite, MemoryIndexStore } from "./index_store.ts";
import { dailyNoteDay, listSources, MAX_SOURCE_BYTES } from "./sources.ts";
import type { TranscriptSource } from "./transcript_sources.ts";

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

const BATCH_CHUNKS = 2000;
/** Chunks embedded (or taken from the cache) and written per round. */
const VECTOR_ROUND = 1000;

export interface IndexerDeps {
  store: MemoryIndexStore;
  embedder?: Embedder;
  chunking: ChunkOptions;
  now: () => number;
  /** Past transcripts to index as well (`memory.includeTranscripts`); unset: none (and any indexed go). */
  transcripts?: {
    list(agentId: string): Promise<TranscriptSource[]>;
    chunks(src: TranscriptSource): Promise<Chunk[]>;
  };
}

/** A source to index: a file, or a transcript; `mtime` and `size` say whether it may have changed. */
interface Source {
  path: string;
  mtime: number;
  size: number;
  day: number | null;
  /** The content hash and its chunks; `text` is hashed before chunking (unchanged → no chunking). */
  read(): Promise<{ text: string; chunks: () => Promise<Chunk[]> }>;
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
  const sources = await allSources(deps, agentId, workspace);
  report.files = sources.length;
  // Files are written in transactions of about BATCH_CHUNKS chunks: one per file costs a commit and an FTS5
  // segment flush each.
  let pending: FileWrite[] = [];
  let pendingChunks = 0;
  const flush = async () => {
    if (!pending.length) return;
    const r = await store.writeFiles(agentId, pending, deps.now());
    report.chunksAdded += r.added;
    report.chunksRemoved += r.removed;
    pending = [];
    pendingChunks = 0;
  };
  for (const src of sources) {
    opts.signal?.throwIfAborted();
    const prev = known.get(src.path);
    known.delete(src.path);
    if (prev && prev.mtime === src.mtime && prev.size === src.size) continue;
    const content = await src.read();
    const hash = hashText(content.text);
    const row = { path: src.path, mtime: src.mtime, size: src.size, hash };
    if (prev && prev.hash === hash) {
      await store.touchFile(agentId, row, deps.now());
      continue;
    }
    const chunks = await content.chunks();
    pending.push({ file: row, chunks, day: src.day, replace: prev !== undefined });
    pendingChunks += chunks.length;
    report.changedFiles++;
    if (pendingChunks >= BATCH_CHUNKS) await flush();
  }
  await flush();
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

/** The memory files of the workspace, then the transcripts when they are included. */
async function allSources(deps: IndexerDeps, agentId: string, workspace: string): Promise<Source[]> {
  const files: Source[] = (await listSources(workspace)).map((f) => ({
    ...f,
    day: dailyNoteDay(f.path),
    async read() {
      const text = await readCapped(`${workspace}/${f.path}`, f.size);
      return { text, chunks: () => Promise.resolve(chunkMarkdown(text, deps.chunking)) };
    },
  }));
  const t = deps.transcripts;
  if (!t) return files;
  const transcripts: Source[] = (await t.list(agentId)).map((src) => ({
    path: src.path,
    mtime: src.lastSeq,
    size: src.entries,
    day: null,
    async read() {
      const chunks = await t.chunks(src);
      return { text: chunks.map((c) => c.hash).join("\n"), chunks: () => Promise.resolve(chunks) };
    },
  }));
  return [...files, ...transcripts];
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
  for (let after = 0;;) {
    signal?.throwIfAborted();
    const missing = await deps.store.missingVectors(agentId, table, VECTOR_ROUND, after);
    if (!missing.length) return;
    after = missing[missing.length - 1]!.id;
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
