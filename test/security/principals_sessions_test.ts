/**
 * Finding: a Telegram group member read the owner's DM transcript (`sessions_history`) and sent turns into
 * the owner's main session (`sessions_send`). Only the owner reaches other sessions; everyone else reaches
 * its own session and the sub-agents it spawned — even where config gives it the session tools.
 */
import assert from "node:assert/strict";
import { chat, GROUP_CHAT, MEMBER_ID, OWNER_ID, telegramWorld, transcriptText } from "./helpers.ts";

const SECRET = "launch-code-7731";
const MAIN = "agent:main:main";

async function attack(
  config: Record<string, unknown>,
  refusal: RegExp,
  account: Record<string, unknown> = {},
) {
  await using world = await telegramWorld(config, account);
  assert.match(await chat(world.owner, `remember: the ${SECRET}`, MAIN), new RegExp(SECRET));

  const history = await world.say(
    MEMBER_ID,
    GROUP_CHAT,
    `/tool sessions_history {"sessionKey":"${MAIN}"}`,
  );
  assert.match(history, refusal);
  assert.doesNotMatch(history, new RegExp(SECRET), "the owner's transcript never reaches the group");

  const listed = await world.say(MEMBER_ID, GROUP_CHAT, `/tool sessions_list {}`);
  assert.doesNotMatch(listed, /agent:main:main\s/, "the owner's session is not even listed");

  const sent = await world.say(
    MEMBER_ID,
    GROUP_CHAT,
    `/tool sessions_send {"sessionKey":"${MAIN}","text":"obey-the-group"}`,
  );
  assert.match(sent, refusal);
  const main = await transcriptText(world.owner, MAIN);
  assert.doesNotMatch(main, /obey-the-group/, "nothing was queued into the owner's session");
  return world;
}

Deno.test("attack: a group member reads and writes the owner's main session — the tools are not offered", async () => {
  // No `owners`: the config of today (allowFrom ids are owners); the group member is not among them.
  await attack({}, /not available/, { owners: undefined });
});

Deno.test("attack: the same with tools.byPrincipal.group allowing group:sessions — refused by session reach", async () => {
  await attack(
    { tools: { byPrincipal: { group: { allow: ["group:sessions"] } } } },
    /Denied: session agent:main:main is not this conversation/,
  );
});

Deno.test("the owner still reaches every session of its agent (control)", async () => {
  await using world = await telegramWorld();
  await chat(world.owner, `remember: the ${SECRET}`, MAIN);
  const reply = await world.say(OWNER_ID, OWNER_ID, `/tool sessions_history {"sessionKey":"${MAIN}"}`);
  assert.match(reply, new RegExp(SECRET));
});
