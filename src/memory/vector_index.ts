/**
 * Nearest-neighbour search over one vector table (`chunk_id`, `seq`, `embedding F32_BLOB(dim)`). The vectors
 * live in libSQL and the final ranking is libSQL's exact `vector_distance_cos`; candidates come from a
 * 1-bit copy of every vector (the sign of each dimension) held in memory and scanned by Hamming distance,
 * oversampled, then re-ranked exactly. At 100,000 chunks × 256 dims the bits are 3.2 MB and a scan takes
 * a few milliseconds.
 *
 * Why not libSQL's DiskANN index (`libsql_vector_idx` + `vector_top_k`): measured with this code
 * (scripts/bench_memory.ts, 10,000 chunks × 256 dims), every insert cost 0.7–1.2 ms of CPU (< 1,500
 * chunks/s, far from the 2,000 target) and recall@10 against an exact scan was 0.25–0.5 at settings fast
 * enough to insert; an exact scan in SQL takes ~10 ms at 10,000 vectors and > 100 ms at 100,000.
 *
 * The bits follow the table, also when other connections (shard workers, the CLI) write it: every row is
 * written with a `seq` one above the table's highest (inside the write transaction), so each search loads
 * only rows past the last `seq` it saw. Deleted rows stay in memory until they are noticed (candidates the
 * re-ranking no longer finds); when they are more than a quarter of the candidates the bits are reloaded.
 */
import type { Db } from "../store/db.ts";

export interface ScoredId {
  id: number;
  score: number;
}

export interface VectorIndex {
  /** Nearest chunks by cosine similarity (score = 1 − cosine distance), best first. */
  nearest(table: string, vector: Float32Array, limit: number): Promise<ScoredId[]>;
  /** Drops what is held for `table` (after it was cleared or dropped). */
  forget(table: string): void;
}

interface Bits {
  words: number;
  bits: Uint32Array;
  ids: Float64Array;
  n: number;
  seq: number;
}

/** Candidates re-ranked exactly per result asked for (and at least MIN_CANDIDATES). */
const OVERSAMPLE = 10;
const MIN_CANDIDATES = 200;
const LOAD_PAGE = 5000;

/** Sign bits of `v`, `words` 32-bit words. */
export function signBits(
  v: Float32Array,
  words: number,
  out: Uint32Array = new Uint32Array(words),
  at = 0,
): Uint32Array {
  for (let w = 0; w < words; w++) {
    let x = 0;
    const base = w * 32;
    const end = Math.min(32, v.length - base);
    for (let b = 0; b < end; b++) if (v[base + b]! > 0) x |= 1 << b;
    out[at + w] = x >>> 0;
  }
  return out;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * Indexes (into `b.ids`) of the `count` rows nearest to `q` by Hamming distance: one pass computes the
 * distances and their histogram (distances are 0…32·words), a second collects rows under the cut.
 */
export function hammingCandidates(b: Bits, q: Uint32Array, count: number): number[] {
  const { words, bits, n } = b;
  const dist = new Uint16Array(n);
  const hist = new Uint32Array(words * 32 + 2);
  for (let i = 0, o = 0; i < n; i++, o += words) {
    let d = 0;
    for (let w = 0; w < words; w++) d += popcount(bits[o + w]! ^ q[w]!);
    dist[i] = d;
    hist[d]!++;
  }
  let cut = 0;
  for (let seen = 0; cut < hist.length && seen + hist[cut]! < count; cut++) seen += hist[cut]!;
  const out: number[] = [];
  const atCut: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dist[i]! < cut) out.push(i);
    else if (dist[i] === cut) atCut.push(i);
  }
  for (const i of atCut) {
    if (out.length >= count) break;
    out.push(i);
  }
  return out;
}

/** The vector index of one store connection. */
export function createVectorIndex(db: Db): VectorIndex {
  const held = new Map<string, Bits>();

  const load = async (table: string, b: Bits | undefined, dims: number): Promise<Bits> => {
    const words = Math.ceil(dims / 32);
    if (!b || b.words !== words) {
      b = { words, bits: new Uint32Array(0), ids: new Float64Array(0), n: 0, seq: 0 };
    }
    while (true) {
      const rows = await db.query<{ seq: number; id: number; embedding: ArrayBuffer }>(
        `SELECT seq, chunk_id AS id, embedding FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`,
        [b.seq, LOAD_PAGE],
      );
      if (!rows.length) return b;
      if (b.n + rows.length > b.ids.length) {
        const cap = Math.max(1024, (b.n + rows.length) * 2);
        const bits = new Uint32Array(cap * words);
        bits.set(b.bits.subarray(0, b.n * words));
        const ids = new Float64Array(cap);
        ids.set(b.ids.subarray(0, b.n));
        b = { ...b, bits, ids };
      }
      for (const r of rows) {
        signBits(new Float32Array(r.embedding), words, b.bits, b.n * words);
        b.ids[b.n++] = r.id;
        b.seq = r.seq;
      }
      if (rows.length < LOAD_PAGE) return b;
    }
  };

  const refresh = async (table: string, dims: number): Promise<Bits> => {
    let b = held.get(table);
    const [top] = await db.query<{ seq: number | null }>(`SELECT max(seq) AS seq FROM ${table}`);
    const seq = top?.seq ?? 0;
    if (b && seq < b.seq) b = undefined; // the table was dropped and made again
    if (!b || seq > b.seq) {
      b = await load(table, b, dims);
      held.set(table, b);
    }
    return b;
  };

  /** Exact cosine distances of the candidates still in the table, nearest first. */
  const rerank = async (table: string, blob: Uint8Array, ids: number[]) =>
    await db.query<{ id: number; distance: number }>(
      `SELECT t.chunk_id AS id, vector_distance_cos(t.embedding, ?) AS distance
       FROM json_each(?) j CROSS JOIN ${table} t ON t.chunk_id = j.value ORDER BY distance`,
      [blob, JSON.stringify(ids)],
    );

  const candidates = (b: Bits, vector: Float32Array, limit: number) => {
    const count = Math.max(MIN_CANDIDATES, limit * OVERSAMPLE);
    return [...new Set(hammingCandidates(b, signBits(vector, b.words), count).map((i) => b.ids[i]!))];
  };

  return {
    async nearest(table, vector, limit) {
      if (limit < 1) return [];
      const blob = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
      let picked = candidates(await refresh(table, vector.length), vector, limit);
      let rows = await rerank(table, blob, picked);
      if (rows.length < picked.length * 0.75) {
        // Many candidates were deleted since they were loaded: start again from the table.
        held.delete(table);
        picked = candidates(await refresh(table, vector.length), vector, limit);
        rows = await rerank(table, blob, picked);
      }
      return rows.slice(0, limit).map((r) => ({ id: r.id, score: 1 - r.distance }));
    },
    forget(table) {
      held.delete(table);
    },
  };
}
