/**
 * Memory search benchmark: writes a workspace of N chunks (memory/*.md, one chunk per section), indexes it
 * into a fresh libSQL file with fake (deterministic, in-process) embeddings, then times hybrid searches
 * (FTS5 bm25 + vector candidates re-ranked by libSQL's vector_distance_cos, merged and ranked) through the
 * memory service. Each figure is the median of `--runs` runs (each on a fresh database).
 *
 *   deno run -A scripts/bench_memory.ts [--chunks 10000] [--dims 256] [--queries 200] [--runs 3] [--keyword-only]
 * Targets: hybrid search p95 ≤ 20 ms at 10,000 chunks and ≤ 60 ms at 100,000 (60 ms is also applied
 * above 100,000); index build ≥ 2,000 chunks/s excluding embedding time. Every figure is given in wall
 * time and in CPU time of this process: on a loaded machine wall time measures the neighbours too.
 *
 * The fake embeddings are dense like real ones: every word has a fixed pseudo-random direction and a text
 * is the normalised sum of its words' (notes on one topic share words, so they land near each other).
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { validateConfig } from "../src/config/load.ts";
import { systemClock } from "../src/core/clock.ts";
import type { Embedder } from "../src/memory/embeddings.ts";
import { createMemoryService } from "../src/memory/service.ts";
import { createMemoryIndexStore, vectorTableName } from "../src/memory/index_store.ts";
import { openStore } from "../src/store/mod.ts";

const SECTIONS_PER_FILE = 20;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5 >>> 0) / 2 ** 32);
}

/**
 * A vocabulary of pronounceable pseudo-words in 50 topics of 100 words; `pick(topic)` draws mostly from the
 * topic (so notes on one topic embed near each other, as real notes do), following a Zipf-like curve.
 */
function vocabulary(n: number, rand: () => number): { words: string[]; pick(topic?: number): string } {
  const syl = ["ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "da", "pe", "gu", "zo", "li", "ba", "fe"];
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = "";
    for (let k = 0; k < 2 + (i % 3); k++) w += syl[Math.floor(rand() * syl.length)];
    words.push(w + i.toString(36));
  }
  return {
    words,
    pick: (topic) =>
      topic !== undefined && rand() < 0.7
        ? words[(topic % 50) * 100 + Math.floor(100 * rand() ** 2)]!
        : words[Math.floor(n * rand() ** 2)]!,
  };
}

async function writeWorkspace(dir: string, chunks: number, rand: () => number, pick: (t?: number) => string) {
  await Deno.mkdir(`${dir}/memory`, { recursive: true });
  const files = Math.ceil(chunks / SECTIONS_PER_FILE);
  let left = chunks;
  for (let f = 0; f < files; f++) {
    const parts: string[] = [];
    for (let s = 0; s < SECTIONS_PER_FILE && left > 0; s++, left--) {
      const topic = Math.floor(rand() * 50);
      const words = Array.from({ length: 90 + Math.floor(rand() * 60) }, () => pick(topic));
      parts.push(`## Note ${f}.${s}\n${words.join(" ")}.`);
    }
    const day = new Date(Date.UTC(2020, 0, 1) + f * 86_400_000).toISOString().slice(0, 10);
    await Deno.writeTextFile(`${dir}/memory/${day}.md`, parts.join("\n\n") + "\n");
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

const cpuMsNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Dense bag-of-words embeddings: each word a fixed pseudo-random direction, a text the normalised sum. */
function denseEmbedder(dims: number): (text: string) => Float32Array {
  const words = new Map<string, Float32Array>();
  const wordVector = (w: string) => {
    let v = words.get(w);
    if (!v) {
      let h = 0x811c9dc5;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193) >>> 0;
      const rand = rng(h);
      v = Float32Array.from({ length: dims }, () => rand() + rand() + rand() - 1.5);
      words.set(w, v);
    }
    return v;
  };
  return (text) => {
    const out = new Float32Array(dims);
    for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const v = wordVector(w);
      for (let i = 0; i < dims; i++) out[i]! += v[i]!;
    }
    let n = 0;
    for (let i = 0; i < dims; i++) n += out[i]! * out[i]!;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < dims; i++) out[i]! /= n;
    return out;
  };
}

/** One run: build the index of `chunks` chunks, then time `queries` searches. */
export async function benchMemory(
  o: {
    chunks: number;
    dims: number;
    queries: number;
    keywordOnly?: boolean;
    /** Vectors of texts embedded by an earlier run (the runs write the same corpus): saves embedding time. */
    embedCache?: Map<string, Float32Array>;
  },
) {
  const dir = await Deno.makeTempDir({ prefix: "talon-bench-memory-" });
  const store = await openStore({ url: `file:${dir}/talon.db` });
  try {
    const rand = rng(42);
    const vocab = vocabulary(5000, rand);
    await writeWorkspace(`${dir}/ws`, o.chunks, rand, vocab.pick);
    let embedMs = 0;
    let embedCpuMs = 0;
    const embedText = denseEmbedder(o.dims);
    const embedOne = (text: string): Float32Array => {
      const known = o.embedCache?.get(text);
      if (known) return known;
      const v = embedText(text);
      o.embedCache?.set(text, v);
      return v;
    };
    const embedder: Embedder = {
      space: `bench/fake@${o.dims}`,
      dimensions: o.dims,
      embed(texts) {
        const t = performance.now();
        const c = cpuMsNow();
        const out = texts.map(embedOne);
        embedMs += performance.now() - t;
        embedCpuMs += cpuMsNow() - c;
        return Promise.resolve(out);
      },
    };
    const config = validateConfig({}, { env: {}, file: "bench" });
    const service = createMemoryService({
      db: store.db,
      config: () => config,
      workspaceFor: () => `${dir}/ws`,
      clock: systemClock,
      embedder: () => o.keywordOnly ? undefined : embedder,
      syncEveryMs: Number.POSITIVE_INFINITY,
    });
    const cpu0 = cpuMsNow();
    const t0 = performance.now();
    const report = await service.index("main");
    const buildMs = performance.now() - t0;
    const cpuMs = cpuMsNow() - cpu0;
    const status = await service.status("main");
    if (status.chunks !== o.chunks || status.vectors !== (o.keywordOnly ? 0 : o.chunks)) {
      throw new Error(`indexed ${status.chunks} chunks and ${status.vectors} vectors, expected ${o.chunks}`);
    }
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let found = 0;
    for (let i = 0; i < o.queries + 20; i++) {
      const q = Array.from({ length: 2 + (i % 2) }, () => vocab.pick(i)).join(" ");
      const t = performance.now();
      const c = cpuMsNow();
      const r = await service.search("main", q, { k: 6 });
      if (i >= 20) { // the first 20 warm up (the first search loads the vector bits)
        times.push(performance.now() - t);
        cpuTimes.push(cpuMsNow() - c);
      }
      if (r.hits.length) found++;
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    // Recall@10 of the DiskANN index against an exact scan, on 20 queries.
    const table = vectorTableName("main", embedder.space);
    let hit = 0;
    for (let i = 0; i < 20; i++) {
      const v = embedOne([vocab.pick(i), vocab.pick(i), vocab.pick(i)].join(" "));
      const blob = new Uint8Array(v.buffer);
      if (o.keywordOnly) break;
      const exact = await store.db.query<{ id: number }>(
        `SELECT chunk_id AS id FROM ${table} ORDER BY vector_distance_cos(embedding, ?) LIMIT 10`,
        [blob],
      );
      const approx = new Set((await createMemoryIndexStore(store.db).nearest(table, v, 10)).map((r) => r.id));
      hit += exact.filter((r) => approx.has(r.id)).length;
    }
    const excl = buildMs - embedMs;
    return {
      chunks: o.chunks,
      dims: o.dims,
      buildMs: Math.round(buildMs),
      embedMs: Math.round(embedMs),
      buildCpuMs: Math.round(cpuMs),
      chunksPerSecExclEmbedding: Math.round(o.chunks / (excl / 1000)),
      chunksPerCpuSecExclEmbedding: Math.round(o.chunks / ((cpuMs - embedCpuMs) / 1000)),
      searchP50Ms: Number(percentile(times, 0.5).toFixed(2)),
      searchP95Ms: Number(percentile(times, 0.95).toFixed(2)),
      searchCpuP50Ms: Number(percentile(cpuTimes, 0.5).toFixed(2)),
      searchCpuP95Ms: Number(percentile(cpuTimes, 0.95).toFixed(2)),
      vectorRecallAt10: o.keywordOnly ? null : Number((hit / 200).toFixed(2)),
      queriesWithHits: `${found}/${o.queries + 20}`,
      dbMiB: Math.round((await Deno.stat(`${dir}/talon.db`)).size / 1024 / 1024),
      embedded: report.embedded,
    };
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

type Run = Awaited<ReturnType<typeof benchMemory>>;

/** Medians of the numeric figures of several runs (the rest from the first run). */
export function medians(runs: Run[]): Run {
  const out: Record<string, unknown> = { ...runs[0]! };
  for (const [key, value] of Object.entries(runs[0]!)) {
    if (typeof value === "number") out[key] = median(runs.map((r) => r[key as keyof Run] as number));
  }
  return out as Run;
}

/** One line per target: the wall and CPU figures against it, PASS or FAIL. */
export function verdicts(r: Run): string[] {
  const p95Target = r.chunks <= 10_000 ? 20 : 60;
  const line = (what: string, wall: number, cpu: number, target: number, atLeast: boolean, unit: string) => {
    const ok = (x: number) => atLeast ? x >= target : x <= target;
    const v = (x: number) => ok(x) ? "PASS" : "FAIL";
    return `${what} (target ${atLeast ? "≥" : "≤"} ${target} ${unit}): wall ${wall} ${v(wall)}, cpu ${cpu} ${
      v(cpu)
    }`;
  };
  return [
    line(
      "index build, chunks/s excl. embedding",
      r.chunksPerSecExclEmbedding,
      r.chunksPerCpuSecExclEmbedding,
      2000,
      true,
      "chunks/s",
    ),
    line(`hybrid search p95 at ${r.chunks} chunks`, r.searchP95Ms, r.searchCpuP95Ms, p95Target, false, "ms"),
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      chunks: { type: "string", default: "10000" },
      dims: { type: "string", default: "256" },
      queries: { type: "string", default: "200" },
      runs: { type: "string", default: "3" },
      "keyword-only": { type: "boolean", default: false },
    },
  });
  const runs: Run[] = [];
  // Up to ~160 MB of vectors are kept between runs (they embed the same corpus).
  const embedCache = Number(values.chunks) * Number(values.dims) <= 40_000_000 ? new Map() : undefined;
  for (let i = 0; i < Number(values.runs); i++) {
    runs.push(
      await benchMemory({
        chunks: Number(values.chunks),
        dims: Number(values.dims),
        queries: Number(values.queries),
        keywordOnly: values["keyword-only"],
        embedCache,
      }),
    );
    console.error(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
  }
  const result = medians(runs);
  console.log(JSON.stringify({ median: result, runs: runs.length }, null, 2));
  for (const v of verdicts(result)) console.log(v);
}
