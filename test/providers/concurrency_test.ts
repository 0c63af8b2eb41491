import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/core/logger.ts";
import { createProviders } from "../../src/providers/registry.ts";
import { chatChunks } from "../fakes/fake_openai.ts";
import { collect, request, textOf } from "./helpers.ts";

/** An OpenAI-wire server that holds every answer until the test releases it, counting requests in flight. */
function heldServer() {
  let inFlight = 0;
  let maxInFlight = 0;
  const held: (() => void)[] = [];
  const arrivals: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.text();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const go = Promise.withResolvers<void>();
    held.push(go.resolve);
    arrivals.shift()?.();
    await go.promise;
    inFlight--;
    return new Response(chatChunks({ text: "ok" }, "m", true).join(""), {
      headers: { "content-type": "text/event-stream" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Resolves on the next request's arrival, or after `ms`. */
    arrival(ms: number) {
      const arrived = Promise.withResolvers<void>();
      arrivals.push(arrived.resolve);
      const timer = setTimeout(arrived.resolve, ms);
      return arrived.promise.finally(() => clearTimeout(timer));
    },
    /** Resolves once `n` requests are held (fails after 10 s). */
    async heldCount(n: number) {
      const deadline = Date.now() + 10_000;
      while (held.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} held requests, saw ${held.length}`);
        await this.arrival(100);
      }
    },
    /** Answers every request, held or still to come, until `runs` all finished (fails after 10 s). */
    async drain<T>(runs: Promise<T>[]): Promise<T[]> {
      const all = Promise.all(runs);
      let finished = false;
      void all.then(() => finished = true);
      const deadline = Date.now() + 10_000;
      while (!finished) {
        if (Date.now() > deadline) throw new Error("the requests did not finish");
        held.splice(0).forEach((r) => r());
        await Promise.race([all, this.arrival(50)]);
      }
      return await all;
    },
    releaseAll: () => held.splice(0).forEach((r) => r()),
    close: () => server.shutdown(),
  };
}

const providersFor = (url: string, provider: Record<string, unknown>, share?: number) =>
  createProviders({
    config: validateConfig(
      { providers: { p: { api: "openai-chat", baseUrl: url, apiKey: "k", ...provider } } },
      { env: {}, file: "talon.json", fromFile: true },
    ),
    logger: createLogger({ sinks: [] }),
    concurrencyShare: share,
  }).get("p")!;

Deno.test("providers.<id>.maxConcurrent: requests beyond this thread's share wait for a free slot", async () => {
  const srv = heldServer();
  try {
    // 4 across 2 shard workers: this worker's share is 2.
    const p = providersFor(srv.url, { maxConcurrent: 4 }, 2);
    const runs = Array.from({ length: 5 }, () => collect(p.stream(request())));
    await srv.heldCount(2);
    const results = await srv.drain(runs);
    assert.deepEqual(results.map((r) => textOf(r.events)), ["ok", "ok", "ok", "ok", "ok"]);
    assert.equal(srv.maxInFlight, 2);
  } finally {
    srv.releaseAll();
    await srv.close();
  }
});

Deno.test("providers without maxConcurrent send every request at once", async () => {
  const srv = heldServer();
  try {
    const p = providersFor(srv.url, {});
    const runs = Array.from({ length: 5 }, () => collect(p.stream(request())));
    await srv.heldCount(5);
    await srv.drain(runs);
    assert.equal(srv.maxInFlight, 5);
  } finally {
    srv.releaseAll();
    await srv.close();
  }
});

Deno.test("providers.<id>.maxConcurrent: an aborted request waiting for a slot never reaches the provider", async () => {
  const srv = heldServer();
  try {
    const p = providersFor(srv.url, { maxConcurrent: 1 });
    const first = collect(p.stream(request()));
    await srv.heldCount(1);
    const ctl = new AbortController();
    const second = collect(p.stream(request({ signal: ctl.signal })));
    ctl.abort(new Error("user stopped"));
    const outcome = await second.then((r) => r.error?.message ?? "no error", (e) => (e as Error).message);
    assert.match(outcome, /stopped|abort/i);
    await srv.drain([first]);
    assert.equal(srv.maxInFlight, 1);
  } finally {
    srv.releaseAll();
    await srv.close();
  }
});
