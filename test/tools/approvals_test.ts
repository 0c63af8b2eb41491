import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { BusEvent } from "../../src/core/types.ts";
import { createApprovalRepo } from "../../src/tools/approval_repo.ts";
import { createApprovals, matchesPattern } from "../../src/tools/approvals.ts";
import { approvalMethods } from "../../src/tools/approval_methods.ts";
import { describeRequest, summarizeStdin } from "../../src/tools/approval_binding.ts";
import { ToolError } from "../../src/tools/errors.ts";
import type { MethodContext } from "../../src/gateway/methods/registry.ts";
import { toolsConfig } from "../fakes/tools_env.ts";
import { manualClock } from "../fakes/tools_clock.ts";

async function setup(exec: Record<string, unknown> = {}) {
  const store = await openStore({ url: ":memory:" });
  const bus = createEventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const clock = manualClock();
  const config = toolsConfig({ tools: { exec: { approvalTimeoutMs: 5000, ...exec } } }).tools;
  const approvals = createApprovals({
    config,
    repo: createApprovalRepo(store.db),
    bus,
    audit: store.audit,
    clock,
  });
  return { store, bus, events, clock, approvals, [Symbol.dispose]: () => store.close() };
}

const q = (argv: string[], cwd = "/ws") => ({
  runId: "run_1",
  sessionKey: "agent:main:main",
  tool: "exec",
  argv,
  cwd,
});
const MAKE = "/usr/bin/make";

async function requested(events: BusEvent[]) {
  for (let i = 0; i < 100 && !events.some((e) => e.event === "approval.requested"); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const e = events.find((e) => e.event === "approval.requested");
  assert.ok(e, "approval.requested was published");
  return e.payload as {
    id: string;
    argv: string[];
    cwd: string;
    runId: string;
    sessionKey: string;
    tool: string;
  };
}

Deno.test("matchesPattern: programs by real path, * and trailing ** match operands, never options", () => {
  const git = Deno.realPathSync("/usr/bin/git");
  const ls = Deno.realPathSync("/usr/bin/ls");
  const scope = { path: "/usr/bin:/bin" };
  const table: [string, string[], boolean][] = [
    ["git status", [git, "status"], true],
    ["/usr/bin/git status", [git, "status"], true],
    ["git status", [git, "status", "-s"], false],
    ["git log *", [git, "log", "HEAD~3"], true],
    ["git log *", [git, "log", "--oneline"], false],
    ["git log *", [git, "log", "--output=/abs/outside"], false],
    ["git log --oneline *", [git, "log", "--oneline", "main"], true],
    ["git log --format=* *", [git, "log", "--format=%h", "main"], true],
    ["git log -- *", [git, "log", "--", "-weird-file"], true],
    ["git **", [git, "push", "origin", "main"], true],
    ["git **", [git, "push", "--force", "origin"], false],
    ["git **", [ls, "push"], false],
    ["ls *.txt", [ls, "a.txt"], true],
    ["ls *.txt", [ls, "a.md"], false],
    ["ls *", [ls, "-"], true],
    ["", [ls], false],
  ];
  for (const [p, argv, want] of table) {
    assert.equal(matchesPattern(p, argv, scope), want, `${p} vs ${argv.join(" ")}`);
  }
});

Deno.test("approval allow-once: request event, resolve, grant bound to argv+cwd, single use", async () => {
  using s = await setup();
  const pending = s.approvals.authorize(q(["rm", "-r", "build"]));
  const ev = await requested(s.events);
  assert.deepEqual(
    { argv: ev.argv, cwd: ev.cwd, runId: ev.runId, sessionKey: ev.sessionKey, tool: ev.tool },
    { argv: ["rm", "-r", "build"], cwd: "/ws", runId: "run_1", sessionKey: "agent:main:main", tool: "exec" },
  );
  assert.equal((await s.approvals.pending()).length, 1);
  const resolved = await s.approvals.resolve(ev.id, "allow-once", "owner");
  assert.equal(resolved?.status, "allowed");
  const grant = await pending;
  assert.equal(grant.via, "approval");
  // A changed argv (or cwd) after approval is refused.
  await assert.rejects(
    s.approvals.consume(grant, { argv: ["rm", "-rf", "/"], cwd: "/ws" }),
    /differs from what was approved/,
  );
  await assert.rejects(s.approvals.consume(grant, { argv: ["rm", "-r", "build"], cwd: "/other" }), /differs/);
  await s.approvals.consume(grant, { argv: ["rm", "-r", "build"], cwd: "/ws" });
  await assert.rejects(
    s.approvals.consume(grant, { argv: ["rm", "-r", "build"], cwd: "/ws" }),
    /already used/,
  );
  // allow-once does not add to the allowlist: the same argv asks again.
  assert.equal(await s.approvals.isAllowlisted(["rm", "-r", "build"]), false);
  const audit = await s.store.audit.list({ kind: "approval" });
  assert.deepEqual(audit.map((a) => a.outcome).sort(), ["allow-once", "mismatch", "mismatch", "requested"]);
  assert.equal(audit.find((a) => a.outcome === "allow-once")?.actor, "owner");
});

Deno.test("approval deny and timeout refuse; allow-always adds the exact argv to the stored allowlist", async () => {
  using s = await setup();
  const denied = s.approvals.authorize(q(["curl", "x"]));
  const ev1 = await requested(s.events);
  await s.approvals.resolve(ev1.id, "deny", "owner");
  await assert.rejects(
    denied,
    (e) => e instanceof ToolError && e.kind === "Denied" && /denied by an approver/.test(e.message),
  );

  s.events.length = 0;
  const timed = s.approvals.authorize(q(["curl", "y"]));
  const ev2 = await requested(s.events);
  const rejected = assert.rejects(timed, /timed out; nothing was run/);
  await s.clock.advance(5000);
  await rejected;
  assert.equal(
    await s.approvals.resolve(ev2.id, "allow-once", "late"),
    undefined,
    "an expired request cannot be approved",
  );

  s.events.length = 0;
  const always = s.approvals.authorize(q([MAKE, "test"]));
  const ev3 = await requested(s.events);
  await s.approvals.resolve(ev3.id, "allow-always", "owner");
  await always;
  assert.equal(await s.approvals.isAllowlisted([MAKE, "test"]), true);
  assert.equal(await s.approvals.isAllowlisted([MAKE, "test", "extra"]), false);
  s.events.length = 0;
  const again = await s.approvals.authorize(q([MAKE, "test"]));
  assert.equal(again.via, "allowlist");
  assert.equal(s.events.length, 0, "no new request for an allow-always argv");
});

Deno.test("ask modes: off refuses unlisted programs, allowPrograms and patterns pass, always asks", async () => {
  {
    using s = await setup({ ask: "off", allowPrograms: ["ls"], approvals: ["git status"] });
    assert.equal(
      (await s.approvals.authorize(q([Deno.realPathSync("/usr/bin/ls"), "-la"]))).via,
      "allowPrograms",
    );
    const git = Deno.realPathSync("/usr/bin/git");
    assert.equal((await s.approvals.authorize(q([git, "status"]))).via, "allowlist");
    await assert.rejects(
      s.approvals.authorize({ ...q([git, "push"]), requested: ["git", "push"] }),
      /Denied: git is not in tools\.exec\.allowPrograms/,
    );
    assert.equal(s.events.length, 0);
  }
  {
    using s = await setup({ ask: "always", allowPrograms: ["ls"] });
    const p = s.approvals.authorize(q([Deno.realPathSync("/usr/bin/ls")]));
    const ev = await requested(s.events);
    await s.approvals.resolve(ev.id, "allow-once", "owner");
    assert.equal((await p).via, "approval");
  }
});

Deno.test("approval methods: list is read scope, resolve is admin and reports unknown ids", async () => {
  using s = await setup();
  const [list, resolve] = approvalMethods(s.approvals);
  assert.equal(list.scope, "read");
  assert.equal(resolve.scope, "admin");
  const pending = s.approvals.authorize(q(["du"]));
  const ev = await requested(s.events);
  const ctx = { credentialId: "cred_x" } as MethodContext;
  const listed = await list.handler(undefined, ctx) as { approvals: { id: string }[] };
  assert.deepEqual(listed.approvals.map((a) => a.id), [ev.id]);
  assert.equal(resolve.params.safeParse({ id: ev.id, decision: "maybe" }).success, false);
  await resolve.handler({ id: ev.id, decision: "allow-once" }, ctx);
  await pending;
  await assert.rejects(
    Promise.resolve(resolve.handler({ id: ev.id, decision: "deny" }, ctx)),
    /No pending approval/,
  );
});

Deno.test("approval resolved elsewhere (another thread or process sharing the store) reaches the waiting call", async () => {
  using s = await setup();
  const elsewhere = createApprovals({
    config: toolsConfig({ tools: { exec: {} } }).tools,
    repo: createApprovalRepo(s.store.db),
    bus: createEventBus(),
    audit: s.store.audit,
  });
  const pending = s.approvals.authorize(q(["rm", "-rf", "build"]));
  const req = await requested(s.events);
  assert.ok(
    await elsewhere.resolve(req.id, "allow-once", "cli"),
    "the other instance resolves it in the store",
  );
  await s.clock.advance(600);
  const grant = await pending;
  assert.equal(grant.via, "approval");
  await s.approvals.consume(grant, { argv: ["rm", "-rf", "build"], cwd: "/ws" });
});

Deno.test("the binding covers stdin, env names, network and confinement; allow-always is refused for stdin", async () => {
  using s = await setup({ allowPrograms: ["python3"] });
  const py = Deno.realPathSync("/usr/bin/python3");
  const stdin = await summarizeStdin("print(1)\n");
  const base = { ...q([py]), stdin, envNames: ["PATH"], network: false, confined: true };
  // Listed programs pass without asking; the grant is still bound to this stdin.
  const grant = await s.approvals.authorize(base);
  assert.equal(grant.via, "allowPrograms");
  const other = await summarizeStdin("import os\n");
  for (
    const changed of [{ stdin: other }, { envNames: ["PATH", "TOKEN"] }, { network: true }, {
      confined: false,
    }]
  ) {
    await assert.rejects(
      s.approvals.consume(grant, { ...base, ...changed }),
      /differs from what was approved/,
    );
  }
  await s.approvals.consume(grant, base);
  // The network is never granted by allowPrograms: a person is asked.
  const net = s.approvals.authorize({ ...base, stdin: undefined, network: true });
  const ev = await requested(s.events) as unknown as Record<string, unknown>;
  assert.equal(ev.network, true);
  await assert.rejects(
    s.approvals.resolve(ev.id as string, "allow-always", "owner"),
    /refused for a call with network/,
  );
  await s.approvals.resolve(ev.id as string, "deny", "owner");
  await assert.rejects(net, /denied/);
  s.events.length = 0;
  using t = await setup({ ask: "always" });
  const p = t.approvals.authorize({ ...base, changedByAgent: [".git/config"] });
  const ev2 = await requested(t.events) as unknown as Record<string, unknown>;
  assert.equal(ev2.allowAlways, false);
  assert.deepEqual(ev2.changedByAgent, [".git/config"]);
  await assert.rejects(
    t.approvals.resolve(ev2.id as string, "allow-always", "owner"),
    /allow-always is refused for a call with stdin: approve .* with allow-once/,
  );
  assert.equal((await t.approvals.pending()).length, 1, "still pending after the refused decision");
  assert.equal(
    (await t.approvals.pending())[0]?.binding?.stdin?.sha256,
    stdin.sha256,
    "stored with the record",
  );
  await t.approvals.resolve(ev2.id as string, "allow-once", "owner");
  assert.equal((await p).via, "approval");
  assert.deepEqual(await t.store.db.query("SELECT pattern FROM tool_approval_allowlist"), []);
});

Deno.test("describeRequest: unconfined calls say so; stdin and file names cannot fake extra lines", () => {
  const lines = describeRequest({
    argv: ["/usr/bin/python3.11", "x\ny"],
    requested: ["python3", "x\ny"],
    cwd: "/ws",
    stdin: { sha256: "ab".repeat(32), bytes: 3, preview: "a\\nb" },
    envNames: ["PATH", "HOME"],
    confined: false,
    changedByAgent: ["evil\nreads nothing"],
  });
  assert.equal(lines[0], "run: /usr/bin/python3.11 'x\\ny'");
  assert.equal(lines[1], "  (asked for as python3)");
  assert.match(lines.join("\n"), /UNCONFINED/);
  assert.match(lines.join("\n"), /env: PATH, HOME/);
  assert.match(lines.join("\n"), /reads evil\\nreads nothing — changed by the agent in this session/);
  assert.equal(lines.length, 7);
});
