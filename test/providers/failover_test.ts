import assert from "node:assert/strict";
import { silentLogger } from "../../src/core/logger.ts";
import { createAnthropicProvider } from "../../src/providers/anthropic.ts";
import { createEchoProvider } from "../../src/providers/echo.ts";
import { type AttemptRecord, createModelRouter, type ModelRouterDeps } from "../../src/providers/failover.ts";
import { createOpenAIChatProvider } from "../../src/providers/openai_chat.ts";
import type { Provider, StreamEvent } from "../../src/providers/types.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { createFakeClock, type FakeClock } from "./fake_clock.ts";
import { collect, textOf } from "./helpers.ts";

const REQ = () => ({
  system: "sys",
  messages: [{ role: "user" as const, content: "hi" }],
  tools: [],
  signal: new AbortController().signal,
});

/** Two fake servers behind real SDK providers `oai` and `ant`, and a router on a fake clock. */
async function withRouter(
  opts: Partial<ModelRouterDeps> & { manual?: boolean },
  fn: (ctx: {
    oai: ReturnType<typeof createFakeOpenAI>;
    ant: ReturnType<typeof createFakeAnthropic>;
    router: ReturnType<typeof createModelRouter>;
    clock: FakeClock;
    attempts: AttemptRecord[];
    run: (
      chain: string[],
      signal?: AbortSignal,
    ) => Promise<{ events: StreamEvent[]; error?: Error & { kind?: string } }>;
  }) => Promise<void>,
) {
  const oai = createFakeOpenAI();
  const ant = createFakeAnthropic();
  const clock = createFakeClock({ auto: !opts.manual });
  const providers = new Map<string, Provider>([
    ["oai", createOpenAIChatProvider({ id: "oai", baseUrl: oai.url, apiKey: "k" })],
    ["ant", createAnthropicProvider({ id: "ant", baseUrl: ant.origin, apiKey: "k" })],
    ["echo", createEchoProvider()],
  ]);
  const router = createModelRouter({ providers, clock, logger: silentLogger, random: () => 0, ...opts });
  const attempts: AttemptRecord[] = [];
  const run = (chain: string[], signal?: AbortSignal) =>
    collect(
      router.stream(chain, { ...REQ(), ...(signal ? { signal } : {}) }, {
        onAttempt: (a) => attempts.push(a),
      }),
    );
  try {
    await fn({ oai, ant, router, clock, attempts, run });
  } finally {
    await oai.close();
    await ant.close();
  }
}

const brief = (attempts: AttemptRecord[]) =>
  attempts.map((a) => `${a.ref}:${a.ok ? "ok" : a.cooldown ? "skip" : a.errorKind}`);

Deno.test("router: 429 with Retry-After waits exactly that long, then succeeds on the same model", async () => {
  await withRouter({}, async ({ oai, clock, attempts, run }) => {
    oai.enqueue({ error: { status: 429, headers: { "retry-after": "2" } } }, { text: "hello" });
    const { events, error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "hello");
    assert.deepEqual(clock.timeouts, [2000]);
    assert.deepEqual(brief(attempts), ["oai/m1:rate_limit", "oai/m1:ok"]);
    assert.equal(attempts[0]!.retryAfterMs, 2000);
    assert.equal(attempts[1]!.retry, 1);
  });
});

Deno.test("router: repeated 429 → jittered exponential backoff, then the next model, with a cooldown", async () => {
  await withRouter({ random: () => 0.5 }, async ({ oai, ant, clock, attempts, run, router }) => {
    oai.enqueue({ error: { status: 429 } }, { error: { status: 429 } }, { error: { status: 429 } });
    ant.enqueue({ text: "from claude" });
    const { events, error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "from claude");
    // base 500 ms doubling, jitter factor 0.5 + 0.5 * 0.5 = 0.75
    assert.deepEqual(clock.timeouts, [375, 750]);
    assert.deepEqual(brief(attempts), [
      "oai/m1:rate_limit",
      "oai/m1:rate_limit",
      "oai/m1:rate_limit",
      "ant/c1:ok",
    ]);
    assert.equal(attempts[2]!.cooldownMs, 30_000);
    assert.equal(router.cooldowns.remainingMs("oai/m1"), 30_000);
    assert.equal(router.cooldowns.remainingMs("ant/c1"), 0);
  });
});

Deno.test("router: a Retry-After above the cap fails over at once and cools down that long", async () => {
  await withRouter({}, async ({ oai, ant, clock, attempts, run, router }) => {
    oai.enqueue({ error: { status: 429, headers: { "retry-after": "120" } } });
    ant.enqueue({ text: "ok" });
    const { error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error, undefined);
    assert.deepEqual(clock.timeouts, []);
    assert.deepEqual(brief(attempts), ["oai/m1:rate_limit", "ant/c1:ok"]);
    assert.equal(router.cooldowns.remainingMs("oai/m1"), 120_000);
  });
});

Deno.test("router: 500 and 503 are retried, then fail over", async () => {
  await withRouter({ retry: { maxRetries: 1 } }, async ({ oai, ant, attempts, run }) => {
    oai.enqueue({ error: { status: 500 } }, { error: { status: 503 } });
    ant.enqueue({ text: "fallback answer" });
    const { events, error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "fallback answer");
    assert.deepEqual(brief(attempts), ["oai/m1:overload", "oai/m1:overload", "ant/c1:ok"]);
    assert.equal(oai.requests.length, 2);
  });
});

Deno.test("router: auth and bad_request fail over without retry; only auth cools down", async () => {
  await withRouter({}, async ({ oai, ant, clock, attempts, run, router }) => {
    oai.enqueue({ model: "m1", error: { status: 401 } }, { model: "m2", error: { status: 400 } });
    ant.enqueue({ text: "ok" });
    const { error } = await run(["oai/m1", "oai/m2", "ant/c1"]);
    assert.equal(error, undefined);
    assert.deepEqual(brief(attempts), ["oai/m1:auth", "oai/m2:bad_request", "ant/c1:ok"]);
    assert.deepEqual(clock.timeouts, []);
    assert.equal(router.cooldowns.remainingMs("oai/m1"), 30_000);
    assert.equal(router.cooldowns.remainingMs("oai/m2"), 0);
  });
});

Deno.test("router: context overflow is thrown at once, no failover", async () => {
  await withRouter({}, async ({ oai, ant, run }) => {
    oai.enqueue({
      error: { status: 400, code: "context_length_exceeded", message: "maximum context length is 10" },
    });
    const { error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error?.kind, "context_overflow");
    assert.equal(ant.requests.length, 0);
  });
});

Deno.test("router: a stream cut after output is rethrown — no retry, no failover", async () => {
  await withRouter({}, async ({ oai, ant, attempts, run }) => {
    oai.enqueue({ text: "partial answer here", cutAfterChunks: 3 }, { text: "must not be used" });
    ant.enqueue({ text: "must not be used" });
    const { events, error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(textOf(events), "partial answer ");
    assert.equal(error?.kind, "network");
    assert.equal(oai.requests.length, 1);
    assert.equal(ant.requests.length, 0);
    assert.deepEqual(brief(attempts), ["oai/m1:network"]);
  });
});

Deno.test("router: a stream cut before any output fails over", async () => {
  await withRouter({ retry: { maxRetries: 0 } }, async ({ oai, ant, attempts, run }) => {
    oai.enqueue({ text: "never seen", cutAfterChunks: 1, cutMode: "reset" });
    ant.enqueue({ text: "complete answer" });
    const { events, error } = await run(["oai/m1", "ant/c1"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "complete answer");
    assert.deepEqual(brief(attempts), ["oai/m1:network", "ant/c1:ok"]);
  });
});

Deno.test("router: a malformed chunk before output is retried", async () => {
  await withRouter({}, async ({ oai, attempts, run }) => {
    oai.enqueue({ text: "x", malformedAfterChunks: 1 }, { text: "clean" });
    const { events, error } = await run(["oai/m1"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "clean");
    assert.deepEqual(brief(attempts), ["oai/m1:network", "oai/m1:ok"]);
  });
});

Deno.test("router: the idle watchdog times out a silent model and fails over", async () => {
  await withRouter({ manual: true, idleTimeoutMs: 10_000, retry: { maxRetries: 0 } }, async (ctx) => {
    ctx.oai.enqueue({ text: "never", hangAfterChunks: 1 });
    ctx.ant.enqueue({ text: "awake" });
    const p = ctx.run(["oai/m1", "ant/c1"]);
    await ctx.oai.waitForRequests(1); // the watchdog was armed before the request went out
    ctx.clock.advance(10_000);
    const { events, error } = await p;
    assert.equal(error, undefined);
    assert.equal(textOf(events), "awake");
    assert.deepEqual(brief(ctx.attempts), ["oai/m1:timeout", "ant/c1:ok"]);
    assert.match(ctx.attempts[0]!.error!, /idle timeout/);
  });
});

Deno.test("router: an idle timeout after output is rethrown without failover", async () => {
  await withRouter({ manual: true, idleTimeoutMs: 10_000 }, async (ctx) => {
    ctx.oai.enqueue({ text: "one two three", hangAfterChunks: 3 });
    const events: StreamEvent[] = [];
    let error: (Error & { kind?: string }) | undefined;
    try {
      for await (const ev of ctx.router.stream(["oai/m1", "ant/c1"], REQ())) {
        events.push(ev);
        // After the second delta the router re-arms the watchdog; then let time pass.
        if (events.length === 2) setTimeout(() => ctx.clock.advance(10_000), 0);
      }
    } catch (err) {
      error = err as Error & { kind?: string };
    }
    assert.equal(textOf(events), "one two ");
    assert.equal(error?.kind, "timeout");
    assert.equal(ctx.ant.requests.length, 0);
    assert.equal(ctx.oai.requests.length, 1);
  });
});

Deno.test("router: cooldowns are per model — a failing model never blocks its sibling", async () => {
  await withRouter({}, async ({ oai, clock, attempts, run, router }) => {
    oai.enqueue({ model: "bad", error: { status: 401 } }, { model: "good", text: "first" });
    assert.equal(textOf((await run(["oai/bad", "oai/good"])).events), "first");
    oai.enqueue({ model: "good", text: "second" });
    attempts.length = 0;
    assert.equal(textOf((await run(["oai/bad", "oai/good"])).events), "second");
    assert.deepEqual(brief(attempts), ["oai/bad:skip", "oai/good:ok"]);
    assert.deepEqual(oai.requests.map((r) => r.body.model), ["bad", "good", "good"]);
    // After 30 s the bad model is tried again; a second failure cools it down for 1 min.
    clock.advance(30_000);
    oai.enqueue({ model: "bad", error: { status: 401 } }, { model: "good", text: "third" });
    attempts.length = 0;
    await run(["oai/bad", "oai/good"]);
    assert.deepEqual(brief(attempts), ["oai/bad:auth", "oai/good:ok"]);
    assert.equal(attempts[0]!.cooldownMs, 60_000);
    assert.equal(router.cooldowns.remainingMs("oai/good"), 0);
  });
});

Deno.test("router: when every model cools down, the one whose cooldown ends first is tried", async () => {
  await withRouter({}, async ({ oai, attempts, run, router }) => {
    router.cooldowns.fail("oai/a");
    router.cooldowns.fail("oai/a"); // 60 s
    router.cooldowns.fail("oai/b"); // 30 s
    oai.enqueue({ model: "b", text: "b answers" });
    const { events, error } = await run(["oai/a", "oai/b"]);
    assert.equal(error, undefined);
    assert.equal(textOf(events), "b answers");
    assert.deepEqual(brief(attempts), ["oai/a:skip", "oai/b:skip", "oai/b:ok"]);
    assert.equal(router.cooldowns.remainingMs("oai/b"), 0, "success resets the cooldown");
  });
});

Deno.test("router: when all models fail, one error summarises every attempt", async () => {
  await withRouter({ retry: { maxRetries: 1 } }, async ({ oai, ant, run }) => {
    oai.enqueue({ error: { status: 503 } }, { error: { status: 503 } });
    ant.enqueue({ error: { status: 401 } });
    const { error } = await run(["oai/m1", "nope/x", "ant/c1"]);
    assert.equal(error?.kind, "auth");
    assert.match(error!.message, /All models failed/);
    assert.match(error!.message, /oai\/m1: overload/);
    assert.match(error!.message, /oai\/m1 retry 1: overload/);
    assert.match(
      error!.message,
      /nope\/x: bad_request \(Provider "nope" of model nope\/x is not configured\)/,
    );
    assert.match(error!.message, /ant\/c1: auth/);
    const attempts = (error as unknown as { details: { attempts: AttemptRecord[] } }).details.attempts;
    assert.equal(attempts.length, 4);
  });
});

Deno.test("router: abort during backoff ends with aborted", async () => {
  await withRouter({ manual: true }, async ({ oai, run, clock }) => {
    oai.enqueue({ error: { status: 429, headers: { "retry-after": "5" } } });
    const ctl = new AbortController();
    const p = run(["oai/m1", "ant/c1"], ctl.signal);
    await oai.waitForRequests(1);
    while (clock.pendingTimers() === 0) await new Promise((r) => setTimeout(r, 2));
    ctl.abort();
    const { error } = await p;
    assert.equal(error?.kind, "aborted");
  });
});

Deno.test("router: empty chain and the echo provider", async () => {
  await withRouter({}, async ({ run }) => {
    assert.equal((await run([])).error?.kind, "bad_request");
    const { events } = await run(["echo/echo"]);
    assert.match(textOf(events), /echo dev provider.*hi$/);
  });
});
