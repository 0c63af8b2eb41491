/**
 * Hybrid ranking (pure): vector similarity and bm25 scores are normalised, merged with configurable
 * weights, daily notes get a recency boost, and results repeating the same text or overlapping line ranges
 * of one file are dropped.
 */
import type { ChunkRow, ScoredId } from "./index_store.ts";

/** Most results one search returns. */
export const MAX_K = 50;

export interface RankOptions {
  weights: { vector: number; keyword: number };
  recencyBoost: number;
  recencyHalfLifeDays: number;
  /** Today as a day number (days since 1970-01-01 UTC). */
  today: number;
  k: number;
  snippetChars?: number;
}

export interface MemoryHit {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
  /** Which signals found it. */
  matchedBy: ("vector" | "keyword")[];
}

/**
 * Turns a free-text query into an FTS5 query: every word quoted (no operators from the user), any may match
 * (`OR`, the default) or all must (`AND`).
 */
export function ftsQuery(query: string, op: "OR" | "AND" = "OR"): string | undefined {
  const words = query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const unique = [...new Set(words)].slice(0, 32);
  return unique.length ? unique.map((w) => `"${w}"`).join(` ${op} `) : undefined;
}

/**
 * The FTS5 queries of a search, tried in order until enough chunks are found: chunks holding every word
 * first, then any word. Scoring every chunk that holds any common word is what makes bm25 slow on a large
 * index; chunks holding all the words are few, and they are the best keyword matches anyway.
 */
export function ftsQueries(query: string): string[] {
  const any = ftsQuery(query);
  const all = ftsQuery(query, "AND");
  return !any ? [] : any === all ? [any] : [all!, any];
}

/** Merges keyword and vector candidates into the top `k` hits. */
export function rankHits(
  keyword: readonly ScoredId[],
  vector: readonly ScoredId[],
  chunks: readonly ChunkRow[],
  opts: RankOptions,
): MemoryHit[] {
  const byId = new Map(chunks.map((c) => [c.id, c]));
  const maxKw = Math.max(0, ...keyword.map((s) => s.score));
  const hasVector = vector.length > 0;
  const wv = hasVector ? opts.weights.vector : 0;
  const wk = opts.weights.keyword || (hasVector ? 0 : 1);
  const total = wv + wk || 1;
  const merged = new Map<number, { kw: number; vec: number; by: Set<"vector" | "keyword"> }>();
  const slot = (id: number) => {
    let s = merged.get(id);
    if (!s) merged.set(id, s = { kw: 0, vec: 0, by: new Set() });
    return s;
  };
  for (const k of keyword) {
    const s = slot(k.id);
    s.kw = maxKw > 0 ? k.score / maxKw : 1;
    s.by.add("keyword");
  }
  for (const v of vector) {
    const s = slot(v.id);
    s.vec = Math.max(0, Math.min(1, v.score));
    s.by.add("vector");
  }
  const scored: { c: ChunkRow; score: number; by: ("vector" | "keyword")[] }[] = [];
  for (const [id, s] of merged) {
    const c = byId.get(id);
    if (!c) continue;
    let score = (wv * s.vec + wk * s.kw) / total;
    if (c.day !== null && opts.recencyBoost > 0) {
      const age = Math.max(0, opts.today - c.day);
      score += opts.recencyBoost * 0.5 ** (age / opts.recencyHalfLifeDays);
    }
    scored.push({ c, score, by: [...s.by].sort() });
  }
  scored.sort((a, b) =>
    b.score - a.score || a.c.path.localeCompare(b.c.path) || a.c.startLine - b.c.startLine
  );
  const out: MemoryHit[] = [];
  const seenText = new Set<string>();
  for (const s of scored) {
    if (out.length >= opts.k) break;
    if (seenText.has(s.c.hash)) continue;
    const overlaps = out.some((h) =>
      h.path === s.c.path && s.c.startLine <= h.endLine && s.c.endLine >= h.startLine &&
      overlapShare(h, s.c) > 0.5
    );
    if (overlaps) continue;
    seenText.add(s.c.hash);
    out.push({
      path: s.c.path,
      startLine: s.c.startLine,
      endLine: s.c.endLine,
      score: Math.round(s.score * 1000) / 1000,
      snippet: snippet(s.c.text, opts.snippetChars ?? 700),
      matchedBy: s.by,
    });
  }
  return out;
}

function overlapShare(a: { startLine: number; endLine: number }, b: { startLine: number; endLine: number }) {
  const inter = Math.min(a.endLine, b.endLine) - Math.max(a.startLine, b.startLine) + 1;
  const shorter = Math.min(a.endLine - a.startLine, b.endLine - b.startLine) + 1;
  return inter / shorter;
}

function snippet(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd() + " …";
}
