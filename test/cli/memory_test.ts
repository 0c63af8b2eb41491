/** `talon memory status|index|search` and the memory.* methods against a real gateway. */
import assert from "node:assert/strict";
import type { GatewayRequestError } from "../../src/gateway/client.ts";
import { renderHits, renderStatus } from "../../src/cli/memory.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { testEnv } from "../helpers/temp.ts";
import { createFakeEmbeddings } from "../fakes/fake_embeddings.ts";
import { writeCorpus } from "../memory/fixture.ts";

Deno.test("talon memory status/index/search through the gateway, hybrid with the fake embeddings", async () => {
  const fake = createFakeEmbeddings();
  try {
    await using gw = await startTestGateway({
      providers: { emb: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } },
      memory: { embedding: { provider: "emb", model: "fake-embed", dimensions: 64 } },
    });
    await writeCorpus(`${gw.home}/workspace/main`);
    const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });

    const idx = await cli(["memory", "index"], env);
    assert.equal(idx.code, 0, idx.err);
    assert.match(idx.out, /^4 files \(4 changed, 0 removed\), \+\d+\/-0 chunks, \d+ embedded/);

    const status = await cli(["memory", "status"], env);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /agent main: hybrid search\nHybrid search: vectors from emb\/fake-embed@64/);

    const search = await cli(["memory", "search", "automobile", "mechanic", "--k", "2"], env);
    assert.equal(search.code, 0, search.err);
    assert.match(search.out, /^\d\.\d{3} {2}memory\/2025-01-10\.md:\d+-\d+\n {4}# 2025-01-10/);

    const json = await cli(["memory", "search", "Zephyrine", "--json"], env);
    assert.equal(JSON.parse(json.out).hits[0].path, "MEMORY.md");

    const forced = await cli(["memory", "index", "--force", "--json"], env);
    assert.equal(JSON.parse(forced.out).embedded, 0, "a rebuild takes vectors from the cache");
  } finally {
    await fake.close();
  }
});

Deno.test("talon memory: usage errors", async () => {
  const env = testEnv("/nonexistent");
  for (
    const [args, pattern] of [
      [["memory"], /expected a subcommand/],
      [["memory", "forget"], /unknown subcommand "forget"/],
      [["memory", "search"], /expected a query/],
      [["memory", "status", "--force"], /--force only goes with index/],
      [["memory", "search", "x", "--k", "0"], /--k must be an integer from 1 to 50/],
      [["memory", "status", "--agent", "../x"], /is not an agent id/],
    ] as const
  ) {
    const r = await cli([...args], env);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, pattern);
  }
});

Deno.test("memory.* methods need the owner's admin credential; read/write credentials (api) are refused", async () => {
  await using gw = await startTestGateway();
  await writeCorpus(`${gw.home}/workspace/main`);
  for (const scopes of [["read"], ["read", "write"]] as const) {
    const token = `api-token-${scopes.join("-")}-0123456789abcdef`;
    await gw.store.credentials.put({
      name: `api-${scopes.join("")}`,
      kind: "operator",
      scopes: [...scopes],
      token,
    });
    const api = await gw.connect({ token });
    try {
      for (
        const [method, params] of [["memory.search", { query: "Zephyrine" }], ["memory.status", {}]] as const
      ) {
        await assert.rejects(
          api.request(method, params),
          (e: GatewayRequestError) => e.code === "FORBIDDEN",
          `${method} with ${scopes.join("+")}`,
        );
      }
    } finally {
      await api.close();
    }
  }
  const owner = await gw.connect();
  try {
    const r = await owner.request<{ mode: string; hits: { path: string }[] }>("memory.search", {
      query: "Zephyrine",
    });
    assert.equal(r.mode, "keyword");
    assert.equal(r.hits[0]?.path, "MEMORY.md");
    await assert.rejects(
      owner.request("memory.search", { query: "x", agentId: "ghost" }),
      (e: GatewayRequestError) => e.code === "NOT_FOUND",
    );
    await assert.rejects(
      owner.request("memory.search", {}),
      (e: GatewayRequestError) => e.code === "INVALID_REQUEST",
    );
  } finally {
    await owner.close();
  }
});

Deno.test("renderStatus and renderHits", () => {
  assert.equal(
    renderStatus({
      agentId: "main",
      mode: "keyword",
      note: "No embedding provider.",
      files: 1,
      chunks: 2,
      vectors: 0,
    }),
    "agent main: keyword search\nNo embedding provider.\n1 files, 2 chunks, 0 vectors",
  );
  assert.equal(renderHits({ mode: "keyword", hits: [] }), "No matches.");
});
