/**
 * Provider fault matrix through the real gateway (/v1/chat/completions → lanes → shard worker → agent →
 * provider SDK → fake OpenAI): 429, 500, 503, timeout, cut/reset/malformed/stalled streams and in-stream
 * errors. Each fault is tried on an agent with a fallback model (must answer) and one without (must answer
 * or fail with a clear error) — never a hang.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI, type FakeReply } from "../fakes/fake_openai.ts";
import { startTestGateway } from "../helpers/gateway.ts";

const FAULTS: Record<string, FakeReply> = {
  "429": { error: { status: 429, headers: { "retry-after": "1" }, message: "Rate limit reached" } },
  "500": { error: { status: 500 } },
  "503": { error: { status: 503, message: "overloaded" } },
  timeout: { delayMs: 4000, text: "too late" },
  "cut-eof": { text: "one two three four five", cutAfterChunks: 2, cutMode: "eof" },
  "cut-reset": { text: "one two three four five", cutAfterChunks: 2, cutMode: "reset" },
  malformed: { text: "one two three", malformedAfterChunks: 1 },
  stalled: { text: "one two three", hangAfterChunks: 2 },
  "stream-error": { text: "one two", streamError: { afterChunks: 1, type: "server_error", message: "boom" } },
};

const BOUND_MS = 45_000;

Deno.test("provider fault matrix: every fault ends in a reply or a clear error, never a hang", async () => {
  const provider = createFakeOpenAI({ fallback: { text: "fake-ok" } });
  const agents: Array<Record<string, unknown>> = [{ id: "main" }];
  for (const name of Object.keys(FAULTS)) {
    agents.push({ id: `${name}-fb`, model: { primary: `fake/m-${name}-fb`, fallbacks: ["echo/echo"] } });
    agents.push({ id: `${name}-solo`, model: { primary: `fake/m-${name}-solo` } });
    provider.enqueue({ ...FAULTS[name]!, model: `m-${name}-fb` }, {
      ...FAULTS[name]!,
      model: `m-${name}-solo`,
    });
  }
  try {
    await using gw = await startTestGateway({
      providers: {
        fake: { api: "openai-chat", baseUrl: provider.url, apiKey: "k", timeoutMs: 1000 },
        echo: { api: "echo" },
      },
      agents: { defaults: { model: { primary: "fake/m-main" }, idleTimeoutMs: 1000 }, list: agents },
    });
    const ask = async (agent: string) => {
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${gw.token.token}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: `talon/${agent}`,
          messages: [{ role: "user", content: `hello ${agent}` }],
        }),
        signal: AbortSignal.timeout(BOUND_MS),
      });
      const body = await res.json();
      return { status: res.status, body, ms: performance.now() - t0 };
    };
    const results = await Promise.all(
      Object.keys(FAULTS).flatMap((name) => [`${name}-fb`, `${name}-solo`]).map(async (agent) => ({
        agent,
        ...(await ask(agent)),
      })),
    );
    const table: string[] = [];
    for (const r of results) {
      const content = r.body?.choices?.[0]?.message?.content;
      const error = r.body?.error?.message;
      table.push(
        `${r.agent.padEnd(20)} ${r.status} ${(r.ms / 1000).toFixed(1)}s ${content ?? `error: ${error}`}`,
      );
      assert.ok(r.ms < BOUND_MS, `${r.agent} answered in time`);
      if (r.agent.endsWith("-fb")) {
        assert.equal(r.status, 200, `${r.agent}: the fallback model answers: ${JSON.stringify(r.body)}`);
        assert.ok(typeof content === "string" && content.length > 0, `${r.agent}: non-empty reply`);
      } else if (r.status === 200) {
        assert.ok(typeof content === "string" && content.length > 0, `${r.agent}: non-empty reply`);
      } else {
        assert.ok(r.status >= 400 && r.status < 600, `${r.agent}: an HTTP error status`);
        assert.ok(
          typeof error === "string" && error.length > 5,
          `${r.agent}: a clear error: ${JSON.stringify(r.body)}`,
        );
      }
    }
    console.log(table.join("\n"));
    // Afterwards the gateway and the provider path still work.
    assert.equal(provider.pending(), 0, "every scripted fault was served");
    const after = await ask("main");
    assert.equal(after.status, 200);
    assert.equal(after.body.choices[0].message.content, "fake-ok");
  } finally {
    await provider.close();
  }
});
