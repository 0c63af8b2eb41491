import type { EntryKind, TranscriptEntry, TranscriptRepo } from "./transcripts.ts";

/**
 * Keeps recently used transcripts in memory. Transcripts are append-only, so a cached transcript is
 * brought up to date by reading only the entries after the newest one it holds; another writer's
 * appends are therefore never missed. Each session's runs happen on one shard worker, so in practice the
 * cache is read-your-writes and a turn no longer re-reads its whole history. At most `maxSessions`
 * transcripts are kept (least recently used goes first).
 */
export function cachedTranscripts(repo: TranscriptRepo, opts: { maxSessions?: number } = {}): TranscriptRepo {
  const max = opts.maxSessions ?? 64;
  /** Entries with seq ≥ firstSeq, complete and in order. */
  const cache = new Map<string, { firstSeq: number; entries: TranscriptEntry[] }>();
  const touch = (sessionId: string, value: { firstSeq: number; entries: TranscriptEntry[] }) => {
    cache.delete(sessionId);
    cache.set(sessionId, value);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
  };
  const lastSeq = (entries: TranscriptEntry[], firstSeq: number) => entries.at(-1)?.seq ?? firstSeq - 1;

  return {
    async append(sessionId, entries) {
      const added = await repo.append(sessionId, entries);
      const hit = cache.get(sessionId);
      // Only extend a cached transcript that is known to be complete up to the new entries.
      if (hit && added.length > 0 && added[0]!.seq === lastSeq(hit.entries, hit.firstSeq) + 1) {
        hit.entries.push(...added);
      } else if (hit) {
        cache.delete(sessionId);
      }
      return added;
    },
    async list(sessionId, o = {}) {
      if (o.limit !== undefined || o.kinds?.length) return await repo.list(sessionId, o);
      const from = o.fromSeq ?? 1;
      let hit = cache.get(sessionId);
      if (!hit || hit.firstSeq > from) {
        hit = { firstSeq: from, entries: await repo.list(sessionId, { fromSeq: from }) };
      } else {
        const newer = await repo.list(sessionId, { fromSeq: lastSeq(hit.entries, hit.firstSeq) + 1 });
        hit.entries.push(...newer);
      }
      touch(sessionId, hit);
      return hit.entries.filter((e) => e.seq >= from);
    },
    last: (sessionId: string, kind: EntryKind) => repo.last(sessionId, kind),
    forRun: (runId) => repo.forRun(runId),
  };
}
