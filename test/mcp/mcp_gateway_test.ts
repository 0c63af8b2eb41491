// deno-lint-ignore-file no-explicit-any
// MCP tools through the real gateway, shard workers and the echo provider's scripted tool calls.
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";
import { stdioServer } from "./mcp_fixture.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function gatewayWith(extra: Record<string, unknown>, server: Record<string, unknown> = {}) {
  const gw = await startTestGateway({ ...ECHO, mcp: { servers: { fx: stdioServer(server) } }, ...extra });
  const client = await gw.connect({ timeoutMs: 60_000 });
  const turn = async (text: string) => {
    const { runId } = await client.request<any>("chat.send", { text });
    const r = await client.request<any>("agent.wait", { runId, timeoutMs: 60_000 });
    return { runId, text: r.result.payloads[0].text as string };
  };
  return {
    gw,
    client,
    turn,
    async [Symbol.asyncDispose]() {
      await client.close();
      await gw[Symbol.asyncDispose]();
    },
  };
}

Deno.test("MCP end to end: the owner's agent calls a server's tool; audited and on the timeline", async () => {
  await using t = await gatewayWith({ tools: { mcp: { ask: "off" } } });
  const { runId, text } = await t.turn('/tool mcp__fx__add {"a":20,"b":22}');
  assert.match(text, /tool mcp__fx__add returned: 42/);
  const { milestones, audit } = await t.client.request<any>("runs.timeline", { runId });
  assert.ok(milestones.some((m: any) => m.kind === "tool.call"), "on the timeline");
  assert.ok(
    audit.some((a: any) => a.kind === "tool.call" && a.detail?.tool === "mcp__fx__add" && a.outcome === "ok"),
  );
  const servers = await t.client.request<any>("mcp.list", {});
  assert.equal(servers.servers[0].state, "ready");
  const tools = await t.client.request<any>("mcp.tools", { server: "fx" });
  assert.ok(tools.tools.some((x: any) => x.name === "mcp__fx__echo"));
  assert.ok(tools.notes.some((n: any) => n.tool === "liar"), "what was refused is reported");
  const bad = await t.turn('/tool mcp__fx__add {"a":"twenty"}');
  assert.match(bad.text, /missing required argument: b|must be number/);
});

Deno.test("MCP approvals: on-miss asks with server, tool and exact arguments; deny calls nothing; approve runs it", async () => {
  const out = await Deno.makeTempDir({ prefix: "talon-mcp-out-" });
  await using t = await gatewayWith({}, { writable: [out] });
  const target = `${out}/mcp-wrote.txt`;
  const requests: any[] = [];
  t.client.onEvent((e, p) => e === "approval.requested" && requests.push(p));
  await t.client.request("events.subscribe", { events: ["approval.requested", "approval.resolved"] });
  const args = JSON.stringify({ path: target, text: "from mcp" });
  const denied = t.turn(`/tool mcp__fx__write_file ${args}`);
  await until(() => requests.length === 1, "the approval request");
  assert.deepEqual(requests[0].mcp, {
    server: "fx",
    tool: "write_file",
    arguments: { path: target, text: "from mcp" },
  });
  await t.client.request("approval.resolve", { id: requests[0].id, decision: "deny" });
  assert.match((await denied).text, /denied by an approver; nothing was called/);
  await assert.rejects(Deno.stat(target), "nothing was written");
  const allowed = t.turn(`/tool mcp__fx__write_file ${args}`);
  await until(() => requests.length === 2, "the second approval request");
  await t.client.request("approval.resolve", { id: requests[1].id, decision: "allow-once" });
  assert.match((await allowed).text, /returned: written/);
  assert.equal(await Deno.readTextFile(target), "from mcp");
  await Deno.remove(out, { recursive: true });
});

Deno.test("MCP policy: tools.deny group:mcp:<id> removes the server; pre-approved tools skip the approval", async () => {
  await using t = await gatewayWith({ tools: { deny: ["group:mcp:fx"], mcp: { approved: ["mcp__fx__*"] } } });
  const denied = await t.turn('/tool mcp__fx__echo {"text":"x"}');
  assert.doesNotMatch(denied.text, /echo: x/);
  await using u = await gatewayWith({ tools: { mcp: { approved: ["mcp__fx__*"] } } });
  assert.match((await u.turn('/tool mcp__fx__echo {"text":"pre"}')).text, /echo: pre/);
});

Deno.test("MCP and principals: an api client's run is not offered MCP tools (not in minimal)", async () => {
  await using t = await gatewayWith({ tools: { mcp: { ask: "off" } } });
  const token = crypto.randomUUID() + crypto.randomUUID();
  await t.gw.store.credentials.put({ name: "api", kind: "operator", scopes: ["read", "write"], token });
  const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "talon/main",
      messages: [{ role: "user", content: '/tool mcp__fx__echo {"text":"x"}' }],
    }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.doesNotMatch(body.choices[0].message.content, /echo: x/);
  await assert.rejects(
    (async () => {
      const c = await t.gw.connect({ token });
      try {
        await c.request("mcp.call", { server: "fx", tool: "echo", arguments: { text: "x" } });
      } finally {
        await c.close();
      }
    })(),
    /scope|admin|forbidden/i,
    "mcp.call needs an admin credential",
  );
});
