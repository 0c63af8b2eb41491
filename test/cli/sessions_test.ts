/** `talon sessions list|show` against a real gateway running the echo model. */
import assert from "node:assert/strict";
import { renderEntry, renderSessions, type SessionView } from "../../src/cli/sessions.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";

const ECHO = {
  agents: {
    defaults: { model: { primary: "echo/echo" } },
    list: [{ id: "main" }, { id: "helper" }],
  },
};

Deno.test("renderSessions and renderEntry", () => {
  const s: SessionView = {
    sessionKey: "agent:main:main",
    sessionId: "s1",
    agentId: "main",
    inputTokens: 12,
    outputTokens: 7,
    costUsd: 0.5,
    lastChannel: { channel: "telegram" },
    model: "echo/echo",
    createdAt: 0,
    updatedAt: 1_000,
  };
  assert.equal(
    renderSessions([s], 61_000),
    "agent:main:main  active 1m 0s ago  tokens 12 in / 7 out  $0.5000  via telegram  model echo/echo",
  );
  assert.equal(renderSessions([], 0), "No sessions.");
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);
  assert.equal(
    renderEntry({
      seq: 3,
      ts: at,
      kind: "tool_result",
      content: { name: "exec", content: "a\nb", isError: true },
    }),
    "#3 2026-01-02 03:04:05  ← exec (error): a ⏎ b",
  );
  assert.equal(
    renderEntry({
      seq: 2,
      ts: at,
      kind: "tool_call",
      content: { id: "c", name: "fs_read", arguments: { path: "x" } },
    }),
    '#2 2026-01-02 03:04:05  → fs_read {"path":"x"}',
  );
  assert.match(
    renderEntry({ seq: 4, ts: at, kind: "compaction", content: { summary: "x".repeat(400) } }),
    /…$/,
  );
  assert.equal(
    renderEntry({ seq: 5, ts: at, kind: "user", content: { text: "hi", steer: true } }),
    "#5 2026-01-02 03:04:05  user (steer): hi",
  );
});

Deno.test("talon sessions list/show: the sessions and transcript of a real run", async () => {
  await using gw = await startTestGateway(ECHO);
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });
  const empty = await cli(["sessions", "list"], env);
  assert.equal(empty.code, 0, empty.err);
  assert.equal(empty.out.trim(), "No sessions.");

  const client = await gw.connect();
  try {
    const main = await client.request<{ status: string }>("agent", { message: "first question" }, {
      timeoutMs: 30_000,
      onAck: () => {},
    });
    assert.equal(main.status, "ok");
    const helper = await client.request<{ status: string }>(
      "agent",
      { message: "helper question", agentId: "helper" },
      { timeoutMs: 30_000, onAck: () => {} },
    );
    assert.equal(helper.status, "ok");
  } finally {
    await client.close();
  }

  const list = await cli(["sessions", "list"], env);
  assert.equal(list.code, 0, list.err);
  assert.match(
    list.out,
    /^agent:main:main +active \d+s ago {2}tokens [1-9]\d* in \/ [1-9]\d* out {2}\$\d+\.\d{4} {2}via gateway$/m,
  );
  assert.match(list.out, /^agent:helper:main /m);
  const onlyHelper = JSON.parse((await cli(["sessions", "list", "--agent", "helper", "--json"], env)).out);
  assert.deepEqual(onlyHelper.map((s: SessionView) => s.sessionKey), ["agent:helper:main"]);
  assert.deepEqual(JSON.parse((await cli(["sessions", "list", "--agent", "nobody", "--json"], env)).out), []);
  assert.equal(JSON.parse((await cli(["sessions", "list", "--limit", "1", "--json"], env)).out).length, 1);

  const show = await cli(["sessions", "show", "agent:main:main"], env);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /^agent:main:main {2}\(agent main, transcript \S+\)/);
  assert.match(show.out, /^#1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}user: first question$/m);
  assert.match(show.out, /^#\d+ .* {2}assistant( \([^)]+\))?: .*first question/m);
  assert.doesNotMatch(show.out, /helper question/, "only this session's transcript");

  const json = JSON.parse(
    (await cli(["sessions", "show", "agent:main:main", "--json", "--limit", "1"], env)).out,
  );
  assert.equal(json.entries.length, 1, "--limit keeps the newest entries");
  assert.equal(json.entries[0].kind, "assistant");
  assert.equal(json.session.agentId, "main");

  const missing = await cli(["sessions", "show", "agent:main:nope"], env);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no session agent:main:nope/);
});

Deno.test("talon sessions: usage errors exit 2; an unreachable gateway exits 69", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir, { TALON_PORT: "1" });
  const cases: [string[], RegExp][] = [
    [["sessions"], /expected a subcommand/],
    [["sessions", "get"], /unknown subcommand "get"/],
    [["sessions", "show"], /expected a session key/],
    [["sessions", "list", "agent:main:main"], /unexpected argument "agent:main:main"/],
    [["sessions", "show", "a", "b"], /unexpected argument "b"/],
    [["sessions", "show", "a", "--limit", "0"], /--limit must be an integer from 1 to 1000, got "0"/],
    [["sessions", "list", "--limit", "2.5"], /--limit must be an integer/],
    [["sessions", "list", "--limit", "5000"], /--limit must be an integer/],
    [["sessions", "show", "a", "--agent", "main"], /--agent only goes with list/],
    [["sessions", "list", "--agent", ""], /--agent is empty/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, env);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
  }
  const down = await cli(["sessions", "list", "--timeout", "2000"], env);
  assert.equal(down.code, 69);
  assert.match(down.err, /cannot reach the gateway/);
});
