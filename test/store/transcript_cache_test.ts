import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createTranscriptRepo, type NewTranscriptEntry } from "../../src/store/transcripts.ts";
import { cachedTranscripts } from "../../src/store/transcript_cache.ts";

const user = (text: string): NewTranscriptEntry => ({ kind: "user", content: { text }, tokens: 1 });

Deno.test("transcript cache: serves history from memory and still sees another writer's appends", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const raw = createTranscriptRepo(store.db);
    let reads = 0;
    const counting = { ...raw, list: (...a: Parameters<typeof raw.list>) => (reads++, raw.list(...a)) };
    const cached = cachedTranscripts(counting);
    await cached.append("s1", [user("a"), user("b")]);
    assert.deepEqual((await cached.list("s1")).map((e) => e.seq), [1, 2]);
    await cached.append("s1", [user("c")]);
    assert.deepEqual((await cached.list("s1")).map((e) => e.content), [{ text: "a" }, { text: "b" }, {
      text: "c",
    }]);
    // Another process or thread appends directly.
    await raw.append("s1", [user("d")]);
    assert.deepEqual((await cached.list("s1")).map((e) => e.seq), [1, 2, 3, 4]);
    assert.deepEqual((await cached.list("s1", { fromSeq: 3 })).map((e) => e.seq), [3, 4]);
    assert.deepEqual(
      (await cached.list("s1", { limit: 1 })).map((e) => e.seq),
      [4],
      "limit bypasses the cache",
    );
    assert.deepEqual(await cached.list("other"), []);
    assert.ok(reads >= 4);
  } finally {
    store.close();
  }
});

Deno.test("transcript cache: a partial (fromSeq) view is widened when an earlier start is asked for", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const raw = createTranscriptRepo(store.db);
    const cached = cachedTranscripts(raw);
    await raw.append("s", [user("1"), user("2"), user("3")]);
    assert.deepEqual((await cached.list("s", { fromSeq: 3 })).map((e) => e.seq), [3]);
    assert.deepEqual((await cached.list("s")).map((e) => e.seq), [1, 2, 3]);
  } finally {
    store.close();
  }
});

Deno.test("transcript cache: holds at most maxSessions transcripts and stays correct after eviction", async () => {
  const store = await openStore({ url: ":memory:" });
  try {
    const raw = createTranscriptRepo(store.db);
    const cached = cachedTranscripts(raw, { maxSessions: 2 });
    for (const s of ["a", "b", "c"]) {
      await cached.append(s, [user(s)]);
      await cached.list(s);
    }
    await raw.append("a", [user("a2")]);
    await cached.append("a", [user("a3")]);
    assert.deepEqual((await cached.list("a")).map((e) => e.content), [{ text: "a" }, { text: "a2" }, {
      text: "a3",
    }]);
  } finally {
    store.close();
  }
});
