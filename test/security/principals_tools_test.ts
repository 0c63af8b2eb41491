/**
 * Findings: every run got the configured profile (coding) whoever caused it, and owner-only tools were
 * decided by session key. Default tools now follow the principal: owner → configured, user → messaging +
 * read/list, group/hook/api → minimal (widened only by tools.byPrincipal); cron stays owner-only.
 */
import assert from "node:assert/strict";
import { createCronJobRepo } from "../../src/cron/job_repo.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { chat, ECHO, GROUP_CHAT, MEMBER_ID, telegramWorld, USER_ID, v1, writeToken } from "./helpers.ts";

const CRON_ADD = '/tool cron {"action":"add","name":"x","schedule":{"kind":"every","everyMs":60000},' +
  '"message":"ping"}';

Deno.test("attack: an api credential runs a program and reads files over /v1 — the tools are not offered", async () => {
  await using gw = await startTestGateway(ECHO);
  const token = await writeToken(gw);
  const marker = `${gw.home}/api-ran-this`;
  const exec = await v1(gw, token, `/tool exec {"argv":["touch","${marker}"]}`);
  assert.match(exec, /not available \(offered: (none|current_time)\)/);
  const read = await v1(gw, token, '/tool read {"path":"../../talon.json"}');
  assert.match(read, /not available/);
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
});

Deno.test("attack: a write-scoped WS client (api) gets minimal tools through chat.send and agent", async () => {
  await using gw = await startTestGateway(ECHO);
  const writer = await gw.connect({ token: await writeToken(gw) });
  try {
    assert.match(await chat(writer, '/tool list {"path":"."}'), /not available/);
    // deno-lint-ignore no-explicit-any
    const { runId } = await writer.request<any>("agent", { message: '/tool list {"path":"."}' });
    // deno-lint-ignore no-explicit-any
    const viaAgent = await writer.request<any>("agent.wait", { runId, timeoutMs: 50_000 }, {
      timeoutMs: 60_000,
    });
    assert.match(viaAgent.result.payloads[0].text, /not available/);
  } finally {
    await writer.close();
  }
});

Deno.test("a DM user gets messaging + read-only tools: no write, no exec; a group member gets minimal", async () => {
  await using world = await telegramWorld();
  const write = await world.say(USER_ID, USER_ID, '/tool write {"path":"x.txt","content":"y"}');
  assert.match(write, /not available/);
  assert.match(write, /read/, "read is offered to a user");
  assert.doesNotMatch(write, /exec|write,/);
  const group = await world.say(MEMBER_ID, GROUP_CHAT, '/tool read {"path":"x.txt"}');
  assert.match(group, /not available \(offered: (none|current_time)\)/);
});

Deno.test("attack: cron stays owner-only even when tools.byPrincipal allows it to a group", async () => {
  await using world = await telegramWorld({
    tools: { allow: ["cron"], byPrincipal: { group: { allow: ["cron", "*"] }, user: { profile: "full" } } },
  });
  assert.match(await world.say(MEMBER_ID, GROUP_CHAT, CRON_ADD), /not available/);
  assert.match(await world.say(USER_ID, USER_ID, CRON_ADD), /not available/);
  assert.deepEqual(await createCronJobRepo(world.gw.store.db).list(), []);
  const owner = await chat(world.owner, CRON_ADD);
  assert.doesNotMatch(owner, /not available|Denied/, "the owner can (control)");
  assert.equal((await createCronJobRepo(world.gw.store.db).list()).length, 1);
});
