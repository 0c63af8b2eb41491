/**
 * Every run records who caused it: the principal is decided by the server, stored with the run (the
 * ingress and run.start milestones — the latter written in the shard worker — and the run's audit rows)
 * and shown by runs.timeline.
 */
// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { GROUP_CHAT, MEMBER_ID, telegramWorld, until, writeToken } from "./helpers.ts";

async function timeline(client: any, runId: string) {
  return await client.request("runs.timeline", { runId }) as { milestones: any[]; audit: any[] };
}

Deno.test("runs.timeline shows the principal of owner, api and group runs", async () => {
  await using world = await telegramWorld();
  const { owner, gw } = world;
  const ownerRun = await owner.request<any>("chat.send", { text: "hi" });
  await owner.request("agent.wait", { runId: ownerRun.runId, timeoutMs: 50_000 }, { timeoutMs: 60_000 });
  const t1 = await timeline(owner, ownerRun.runId);
  const start = t1.milestones.find((m) => m.kind === "run.start");
  assert.match(start.data.principal, /^owner:credential:/);
  assert.ok(t1.audit.some((a) => a.kind === "agent.run" && /^owner:/.test(a.principal)));

  const writer = await gw.connect({ token: await writeToken(gw) });
  try {
    const apiRun = await writer.request<any>("chat.send", { text: "hi", sessionKey: "agent:main:api-test" });
    await writer.request("agent.wait", { runId: apiRun.runId, timeoutMs: 50_000 }, { timeoutMs: 60_000 });
    const t2 = await timeline(owner, apiRun.runId);
    assert.match(t2.milestones.find((m) => m.kind === "run.start").data.principal, /^api:credential:/);
  } finally {
    await writer.close();
  }

  await world.say(MEMBER_ID, GROUP_CHAT, "hello from the group");
  let runId: string | undefined;
  await until(async () => {
    const rows = await gw.store.audit.list({ kind: "agent.run", limit: 20 });
    runId = rows.find((r) => r.principal === `group:telegram:${MEMBER_ID}`)?.runId;
    return runId !== undefined;
  }, "the group run's audit row");
  const t3 = await timeline(owner, runId!);
  assert.equal(t3.milestones.find((m) => m.kind === "ingress").data.principal, `group:telegram:${MEMBER_ID}`);
  assert.equal(
    t3.milestones.find((m) => m.kind === "run.start").data.principal,
    `group:telegram:${MEMBER_ID}`,
  );
});
