// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { grantScopes } from "../../src/gateway/ws_connection.ts";
import { createSessionRepo } from "../../src/store/sessions.ts";
import type { Scope } from "../../src/store/credentials.ts";
import { connectFrame, rawSocket, startTestGateway } from "../helpers/gateway.ts";

/** Connects like OpenClaw's CLI: path `/`, request ids `1:<uuid>`, operator scopes. */
async function openclawConnect(gwUrl: string, token: string, extra: Record<string, unknown> = {}) {
  const s = await rawSocket(gwUrl.replace(/^http/, "ws") + "/");
  const challenge = await s.next();
  assert.equal(challenge.event, "connect.challenge");
  const id = `1:${crypto.randomUUID()}`;
  s.send({
    type: "req",
    id,
    method: "connect",
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: {
        id: "cli",
        version: "2026.9.6",
        platform: "linux",
        deviceFamily: "",
        mode: "cli",
        instanceId: "i1",
      },
      caps: [],
      auth: { token },
      role: "operator",
      scopes: ["operator.read"],
      ...extra,
    },
  });
  const res = await s.next();
  assert.equal(res.id, id);
  let n = 1;
  const call = async (method: string, params?: unknown) => {
    const rid = `${++n}:${crypto.randomUUID()}`;
    s.send(
      params === undefined ? { type: "req", id: rid, method } : { type: "req", id: rid, method, params },
    );
    let frame = await s.next();
    while (frame.type === "event") frame = await s.next();
    assert.equal(frame.id, rid);
    return frame;
  };
  return { s, res, call };
}

Deno.test("grantScopes maps operator.* onto read/write/admin, capped by the credential", () => {
  const cases: [Scope[], string[] | undefined, Scope[]][] = [
    [["read", "write", "admin"], ["operator.read"], ["read"]],
    [["read", "write", "admin"], ["operator.write"], ["read", "write"]],
    [["read", "write", "admin"], ["operator.admin"], ["read", "write", "admin"]],
    [["read", "write", "admin"], ["operator.read", "operator.write", "operator.approvals"], [
      "read",
      "write",
    ]],
    [["read", "write", "admin"], ["operator.approvals"], ["read"]],
    [["read", "write", "admin"], undefined, ["read", "write", "admin"]],
    [["read", "write", "admin"], [], ["read", "write", "admin"]],
    [["read"], ["operator.admin"], ["read"]],
    [["read", "write"], ["operator.admin"], ["read", "write"]],
    [["read", "write", "admin"], ["write"], ["read", "write"]],
  ];
  for (const [credential, asked, expected] of cases) {
    assert.deepEqual([...grantScopes(credential, asked)], expected, `${credential} asked ${asked}`);
  }
});

Deno.test("an OpenClaw-style connect on / gets a full hello-ok", async () => {
  await using gw = await startTestGateway();
  const { s, res } = await openclawConnect(gw.url, gw.token.token);
  assert.equal(res.ok, true);
  const hello = res.payload as Record<string, any>;
  assert.equal(hello.type, "hello-ok");
  assert.equal(hello.protocol, 4);
  assert.equal(typeof hello.server.version, "string");
  assert.match(hello.server.connId, /^conn_/);
  for (const m of ["health", "status", "system-presence", "agents.list", "logs.tail"]) {
    assert.ok(hello.features.methods.includes(m), m);
  }
  for (const e of ["tick", "agent", "chat"]) assert.ok(hello.features.events.includes(e), e);
  assert.equal(typeof hello.snapshot, "object");
  assert.equal(hello.auth.role, "operator");
  assert.deepEqual(hello.auth.scopes, ["read"]);
  assert.ok(hello.policy.maxPayload > 0);
  assert.ok(hello.policy.maxBufferedBytes > 0);
  assert.ok(hello.policy.tickIntervalMs > 0);
  s.ws.close();
  await s.closed;
});

Deno.test("probe clients speaking protocol 3..4 connect; requests without params are answered", async () => {
  await using gw = await startTestGateway();
  const { s, res, call } = await openclawConnect(gw.url, gw.token.token, {
    minProtocol: 3,
    client: { id: "cli", mode: "probe", version: "2026.9.6", platform: "linux" },
  });
  assert.equal(res.ok, true);
  const presence = await call("system-presence");
  assert.equal(presence.ok, true);
  const entries = presence.payload as any[];
  assert.equal(entries[0].mode, "gateway");
  assert.ok(entries.some((e) => e.mode === "probe" && e.clientId === "cli"));
  const status = await call("status", { includeChannelSummary: false });
  assert.equal(status.ok, true);
  s.ws.close();
  await s.closed;
});

Deno.test("agents.list answers the roster shape openclaw agent reads", async () => {
  await using gw = await startTestGateway({
    agents: { list: [{ id: "main" }, { id: "work", name: "Work" }], defaultAgent: "work" },
  });
  const { s, call } = await openclawConnect(gw.url, gw.token.token);
  const res = await call("agents.list", {});
  assert.deepEqual(res.payload, {
    defaultId: "work",
    mainKey: "main",
    agents: [{ id: "main", name: "main" }, { id: "work", name: "Work" }],
  });
  s.ws.close();
  await s.closed;
});

Deno.test("health lists agents with their session stores the way openclaw health prints them", async () => {
  await using gw = await startTestGateway({
    agents: { list: [{ id: "main" }, { id: "work", name: "Work" }], defaultAgent: "main" },
  });
  const sessions = createSessionRepo(gw.store.db);
  await sessions.ensure("agent:main:main", "main");
  await sessions.ensure("agent:main:telegram:direct:42", "main");
  await sessions.ensure("agent:work:main", "work");
  const { s, call } = await openclawConnect(gw.url, gw.token.token);
  const health = (await call("health")).payload as Record<string, any>;
  assert.equal(health.ok, true);
  assert.equal(typeof health.ts, "number");
  assert.equal(health.defaultAgentId, "main");
  const [main, work] = health.agents;
  assert.equal(main.agentId, "main");
  assert.equal(main.isDefault, true);
  assert.equal(main.sessions.count, 2);
  assert.match(main.sessions.path, /talon\.db$/);
  assert.deepEqual(main.sessions.recent.map((r: any) => r.key).sort(), [
    "agent:main:main",
    "agent:main:telegram:direct:42",
  ]);
  assert.equal(typeof main.sessions.recent[0].age, "number");
  assert.equal(work.agentId, "work");
  assert.equal(work.name, "Work");
  assert.equal(work.isDefault, false);
  assert.equal(work.sessions.count, 1);
  assert.equal(health.sessions.count, 3);
  s.ws.close();
  await s.closed;
});

Deno.test("refusals carry the detail codes OpenClaw's client reads", async () => {
  await using gw = await startTestGateway({ gateway: { auth: { maxFailures: 2, lockoutMs: 60_000 } } });
  const refused = async (frame: unknown) => {
    const s = await rawSocket(gw.wsUrl.replace(/\/ws$/, "/"));
    await s.next();
    s.send(frame);
    const res = await s.next();
    return { error: res.error as any, closed: await s.closed };
  };
  const mismatch = await refused(connectFrame("not-the-token-not-the-token"));
  assert.equal(mismatch.error.details.code, "AUTH_TOKEN_MISMATCH");
  assert.match(mismatch.error.message, /token mismatch/);
  assert.equal(mismatch.closed.code, 1008);
  const proto = await refused(connectFrame(gw.token.token, { minProtocol: 5, maxProtocol: 6 }));
  assert.equal(proto.error.details.code, "PROTOCOL_MISMATCH");
  assert.equal(proto.error.details.expectedProtocol, 4);
  assert.match(proto.error.message, /protocol mismatch/i);
  assert.equal(proto.closed.code, 1002);
  await refused(connectFrame("not-the-token-again-not-the-token"));
  const limited = await refused(connectFrame(gw.token.token));
  assert.equal(limited.error.code, "RATE_LIMITED");
  assert.equal(limited.error.details.code, "AUTH_RATE_LIMITED");
});
