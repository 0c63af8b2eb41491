/** `talon approvals` against a real gateway with the approval methods. */
import assert from "node:assert/strict";
import { configSchema } from "../../src/config/schema.ts";
import { randomToken } from "../../src/core/ids.ts";
import { approvalMethods } from "../../src/tools/approval_methods.ts";
import { createApprovalRepo } from "../../src/tools/approval_repo.ts";
import { type ApprovalQuery, createApprovals } from "../../src/tools/approvals.ts";
import { shellJoin } from "../../src/cli/approvals.ts";
import { cli } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { tempHome, testEnv } from "../helpers/temp.ts";

/** An Approvals instance on the gateway's store and bus; registers the methods when the gateway lacks them. */
function approvalsOn(gw: TestGateway) {
  const approvals = createApprovals({
    config: configSchema.parse({ tools: { exec: { ask: "always", approvalTimeoutMs: 120_000 } } }).tools,
    repo: createApprovalRepo(gw.store.db),
    bus: gw.bus,
    audit: gw.store.audit,
    pollMs: 50,
  });
  if (!gw.registry.get("approvals.list")) {
    const [list, resolve] = approvalMethods(approvals);
    gw.registry.add(list).add(resolve);
  }
  return approvals;
}

const MAKE = "/usr/bin/make"; // approvals bind real program paths

const query = (argv: string[]): ApprovalQuery => ({
  runId: "run_cli_test",
  sessionKey: "agent:main:main",
  tool: "exec",
  argv,
  cwd: "/srv/ws",
});

async function pendingId(approvals: ReturnType<typeof createApprovals>, argv: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const found = (await approvals.pending()).find((a) => a.argv.join("\u0000") === argv.join("\u0000"));
    if (found) return found.id;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no pending approval for ${argv.join(" ")}`);
}

Deno.test("shellJoin quotes what a shell would split or expand", () => {
  assert.equal(shellJoin(["rm", "-rf", "build dir"]), "rm -rf 'build dir'");
  assert.equal(shellJoin(["echo", "it's", "$HOME"]), `echo 'it'\\''s' '$HOME'`);
  assert.equal(shellJoin(["git", "log", "--format=%h"]), "git log --format=%h");
});

Deno.test("talon approvals: list, approve once, approve --always, deny; a resolved id is gone", async () => {
  await using gw = await startTestGateway();
  const approvals = approvalsOn(gw);
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port) });

  const empty = await cli(["approvals", "list"], env);
  assert.equal(empty.code, 0, empty.err);
  assert.equal(empty.out.trim(), "No pending approvals.");

  const once = approvals.authorize(query(["rm", "-rf", "build dir"]));
  const onceId = await pendingId(approvals, ["rm", "-rf", "build dir"]);
  const listed = await cli(["approvals", "list"], env);
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, new RegExp(`${onceId}  exec: rm -rf 'build dir'`));
  assert.match(listed.out, /in \/srv\/ws {2}session agent:main:main {2}run run_cli_test/);
  assert.match(listed.out, /expires in 1m \d+s|expires in 2m 0s/);
  const json = JSON.parse((await cli(["approvals", "list", "--json"], env)).out);
  assert.deepEqual(json.map((a: { id: string }) => a.id), [onceId]);

  const ok = await cli(["approvals", "approve", onceId], env);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, new RegExp(`Approved ${onceId} once \\(exec: rm -rf 'build dir'\\)`));
  assert.equal((await once).via, "approval", "the waiting call goes ahead");
  const twice = await cli(["approvals", "approve", onceId], env);
  assert.equal(twice.code, 1);
  assert.match(twice.err, new RegExp(`No pending approval ${onceId}`));

  const denied = approvals.authorize(query(["git", "push", "--force"]));
  const denyId = await pendingId(approvals, ["git", "push", "--force"]);
  const no = await cli(["approvals", "deny", denyId], env);
  assert.equal(no.code, 0, no.err);
  assert.match(no.out, /Denied appr_\w+ \(exec: git push --force\)/);
  await assert.rejects(denied, /was denied by an approver/);

  assert.equal(await approvals.isAllowlisted([MAKE, "test"]), false);
  const always = approvals.authorize(query([MAKE, "test"]));
  const alwaysId = await pendingId(approvals, [MAKE, "test"]);
  const yes = await cli(["approvals", "approve", alwaysId, "--always", "--json"], env);
  assert.equal(yes.code, 0, yes.err);
  assert.equal(JSON.parse(yes.out).status, "allowed");
  await always;
  assert.equal(
    await approvals.isAllowlisted([MAKE, "test"]),
    true,
    "--always adds the command to the allowlist",
  );
  assert.equal((await cli(["approvals", "list"], env)).out.trim(), "No pending approvals.");
});

Deno.test("talon approvals: resolving needs the admin scope; a read-only token may only list", async () => {
  await using gw = await startTestGateway();
  const approvals = approvalsOn(gw);
  const readToken = randomToken(32);
  await gw.store.credentials.put({ name: "viewer", kind: "operator", scopes: ["read"], token: readToken });
  const env = testEnv(gw.home, { TALON_PORT: String(gw.port), TALON_TOKEN: readToken });
  const controller = new AbortController();
  const waiting = approvals.authorize({ ...query(["reboot"]), signal: controller.signal });
  const id = await pendingId(approvals, ["reboot"]);
  try {
    const list = await cli(["approvals", "list"], env);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, new RegExp(id));
    const refused = await cli(["approvals", "approve", id], env);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /talon approvals approve: .*admin/);
    assert.deepEqual((await approvals.pending()).map((a) => a.id), [id], "still pending");
  } finally {
    controller.abort();
    await assert.rejects(waiting, /abandoned/);
  }
});

Deno.test("talon approvals: usage errors exit 2; an unreachable gateway exits 69", async () => {
  await using home = await tempHome();
  const env = testEnv(home.dir, { TALON_PORT: "1" });
  const cases: [string[], RegExp][] = [
    [["approvals"], /expected a subcommand/],
    [["approvals", "allow", "x"], /unknown subcommand "allow"/],
    [["approvals", "approve"], /expected an approval id/],
    [["approvals", "deny"], /expected an approval id/],
    [["approvals", "deny", "appr_1", "--always"], /--always only goes with approve/],
    [["approvals", "list", "extra"], /unexpected argument "extra"/],
    [["approvals", "approve", "a", "b"], /unexpected argument "b"/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, env);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
  }
  const down = await cli(["approvals", "list", "--timeout", "2000"], env);
  assert.equal(down.code, 69);
  assert.match(down.err, /cannot reach the gateway/);
});
