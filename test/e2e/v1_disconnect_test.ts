/**
 * A `talon gateway` process, run with the gateway's flags (`--unstable-no-legacy-abort`): a /v1 client that
 * goes away stops its run, and a turn that completes does not trip Deno's legacy abort (nor its warning).
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { spawnProviderGateway } from "../helpers/process.ts";
import { eventually } from "../helpers/gateway.ts";

function turn(gw: { url: string; token: string }, sessionKey: string, signal: AbortSignal) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${gw.token}`,
      "content-type": "application/json",
      "x-talon-session-key": sessionKey,
    },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: "hello" }] }),
    signal,
  });
}

async function activeRuns(gw: { url: string; token: string }): Promise<number> {
  const res = await fetch(`${gw.url}/metrics`, {
    headers: { authorization: `Bearer ${gw.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return [...text.matchAll(/^talon_lanes_active_runs\{[^}]*\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

Deno.test("e2e: a /v1 client that disconnects stops its run; a completed turn aborts nothing", async () => {
  // The first request is answered at once; every later one would wait a minute.
  const fake = createFakeOpenAI({ fallback: { text: "too late", delayMs: 60_000 } });
  fake.enqueue({ text: "hi there" });
  try {
    await using gw = await spawnProviderGateway({ providerUrl: fake.url, model: "m", prefix: "talon-v1dc-" });
    const ok = await turn(gw, "agent:main:dc:1", AbortSignal.timeout(30_000));
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).choices[0].message.content, "hi there");
    assert.equal(await activeRuns(gw), 0);

    const client = new AbortController();
    const pending = turn(gw, "agent:main:dc:2", client.signal).catch((err) => err);
    await eventually(
      "the second turn to reach the provider",
      () => Promise.resolve(fake.requests.length >= 2 || undefined),
    );
    assert.equal(await activeRuns(gw), 1);
    client.abort();
    assert.equal((await pending as Error).name, "AbortError");
    await eventually(
      "the abandoned run to stop",
      async () => (await activeRuns(gw)) === 0 || undefined,
      30_000,
    );
    assert.doesNotMatch(gw.output(), /legacy/i, "Deno's legacy-abort warning is not printed");
  } finally {
    await fake.close();
  }
});
