/**
 * Finding: a write-scoped client approved its own exec (`/approve` through chat.send and /v1) and read the
 * gateway's environment. Approving is the owner's alone: an admin credential or a listed channel owner.
 */
// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import type { GatewayClient } from "../../src/gateway/client.ts";
import { chat, ECHO, OWNER_ID, telegramWorld, until, USER_ID, v1, writeToken } from "./helpers.ts";

/** The owner's run asks to `touch marker`; resolves with the pending approval and the run id. */
async function pendingExec(gw: TestGateway, owner: GatewayClient, marker: string) {
  const requests: any[] = [];
  owner.onEvent((e, p) => e === "approval.requested" && requests.push(p));
  await owner.request("events.subscribe", { events: ["approval.requested"] });
  const { runId } = await owner.request<any>("chat.send", {
    text: `/tool exec {"argv":["touch","${marker}"]}`,
    sessionKey: "agent:main:main",
  });
  await until(() => requests.length > 0, "the exec approval request");
  return { id: requests[0].id as string, runId, gw };
}

async function stillPending(owner: GatewayClient, id: string) {
  const { approvals } = await owner.request<any>("approvals.list", {});
  return approvals.some((a: any) => a.id === id);
}

async function denyAndFinish(owner: GatewayClient, id: string, runId: string) {
  await owner.request("approval.resolve", { id, decision: "deny" });
  await owner.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, { timeoutMs: 60_000 });
}

Deno.test("attack: a write-scoped WS client sends /approve through chat.send — refused, nothing runs", async () => {
  await using gw = await startTestGateway(ECHO);
  const owner = await gw.connect();
  const writer = await gw.connect({ token: await writeToken(gw) });
  try {
    const marker = `${gw.home}/approved-by-writer`;
    const { id, runId } = await pendingExec(gw, owner, marker);
    const reply = await chat(writer, `/approve ${id} allow-always`);
    assert.match(reply, /Only the owner can approve/);
    assert.ok(await stillPending(owner, id), "the approval is still pending");
    await assert.rejects(
      writer.request("approval.resolve", { id, decision: "allow-once" }),
      /admin|scope|FORBIDDEN/i,
    );
    await denyAndFinish(owner, id, runId);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound, "the program never ran");
  } finally {
    await writer.close();
    await owner.close();
  }
});

Deno.test("attack: /approve through /v1/chat/completions with a write token — refused, nothing runs", async () => {
  await using gw = await startTestGateway(ECHO);
  const owner = await gw.connect();
  try {
    const marker = `${gw.home}/approved-over-http`;
    const { id, runId } = await pendingExec(gw, owner, marker);
    const reply = await v1(gw, await writeToken(gw), `/approve ${id} allow-once`);
    assert.match(reply, /Only the owner can approve/);
    assert.ok(await stillPending(owner, id));
    await denyAndFinish(owner, id, runId);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  } finally {
    await owner.close();
  }
});

Deno.test("attack: an allow-listed Telegram sender who is not an owner sends /approve — refused; the owner can", async () => {
  await using world = await telegramWorld();
  const marker = `${world.gw.home}/approved-by-dm-user`;
  const { id, runId } = await pendingExec(world.gw, world.owner, marker);
  const refused = await world.say(USER_ID, USER_ID, `/approve ${id} allow-once`);
  assert.match(refused, /Only the owner can approve/);
  assert.ok(await stillPending(world.owner, id));
  const denied = await world.say(OWNER_ID, OWNER_ID, `/approve ${id} deny`);
  assert.match(denied, /deny/);
  const result = await world.owner.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
    timeoutMs: 60_000,
  });
  assert.match(result.result.payloads[0].text, /denied/i);
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
});
