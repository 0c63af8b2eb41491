/** Vector search: 1-bit candidates re-ranked exactly; writes and deletes by another connection are seen. */
import assert from "node:assert/strict";
import { createMemoryIndexStore } from "../../src/memory/index_store.ts";
import { hammingCandidates, signBits } from "../../src/memory/vector_index.ts";
import { openStore } from "../../src/store/mod.ts";

function randomVectors(n: number, dims: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  return Array.from({ length: n }, () => Float32Array.from({ length: dims }, rand));
}

Deno.test("hamming candidates: the rows whose sign bits differ least, at most `count`", () => {
  const dims = 64;
  const words = 2;
  const vs = [
    Float32Array.from({ length: dims }, () => 1),
    Float32Array.from({ length: dims }, (_, i) => (i < 60 ? 1 : -1)),
    Float32Array.from({ length: dims }, () => -1),
    Float32Array.from({ length: dims }, (_, i) => (i < 40 ? 1 : -1)),
  ];
  const bits = new Uint32Array(vs.length * words);
  vs.forEach((v, i) => signBits(v, words, bits, i * words));
  const b = { words, bits, ids: Float64Array.from([10, 11, 12, 13]), n: vs.length, seq: 4 };
  assert.deepEqual(hammingCandidates(b, signBits(vs[0]!, words), 2), [0, 1]);
  assert.deepEqual(hammingCandidates(b, signBits(vs[0]!, words), 3), [0, 1, 3]);
  assert.deepEqual(hammingCandidates(b, signBits(vs[2]!, words), 1), [2]);
  assert.equal(hammingCandidates(b, signBits(vs[0]!, words), 10).length, 4);
});

Deno.test("vector search: finds the exact nearest among thousands; sees another connection's writes and deletes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "talon-vec-" });
  const a = await openStore({ url: `file:${dir}/t.db` });
  const b = await openStore({ url: `file:${dir}/t.db` });
  try {
    const dims = 128;
    const vs = randomVectors(3000, dims, 7);
    const mine = createMemoryIndexStore(a.db);
    const theirs = createMemoryIndexStore(b.db);
    const table = await mine.ensureVectors("main", "test@128", dims);
    await mine.writeVectors(table, vs.map((vector, i) => ({ id: i + 1, vector })));

    // Recall@10 against an exact scan in SQL (random vectors, the hard case for 1-bit candidates).
    let hit = 0;
    for (let q = 0; q < 20; q++) {
      const v = vs[q * 100]!.map((x, i) => x + 0.3 * (vs[q * 100 + 1]![i]!));
      const exact = await a.db.query<{ id: number }>(
        `SELECT chunk_id AS id FROM ${table} ORDER BY vector_distance_cos(embedding, ?) LIMIT 10`,
        [new Uint8Array(v.buffer)],
      );
      const got = new Set((await mine.nearest(table, v, 10)).map((r) => r.id));
      hit += exact.filter((r) => got.has(r.id)).length;
    }
    assert.ok(hit / 200 >= 0.85, `recall@10 ${hit / 200}`);
    const self = await mine.nearest(table, vs[1234]!, 3);
    assert.equal(self[0]!.id, 1235);
    assert.ok(Math.abs(self[0]!.score - 1) < 1e-5);

    // Another connection adds a vector: the next search of this one finds it.
    const fresh = randomVectors(1, dims, 99)[0]!;
    await theirs.writeVectors(table, [{ id: 5000, vector: fresh }]);
    assert.equal((await mine.nearest(table, fresh, 1))[0]!.id, 5000);

    // It deletes most rows: deleted ids never come back, and the bits are reloaded.
    await b.db.run(`DELETE FROM ${table} WHERE chunk_id <= 2900`);
    const after = await mine.nearest(table, vs[10]!, 10);
    assert.equal(after.length, 10);
    assert.ok(after.every((r) => r.id > 2900), JSON.stringify(after.map((r) => r.id)));
  } finally {
    a.close();
    b.close();
    await Deno.remove(dir, { recursive: true });
  }
});
