// deno-lint-ignore-file no-explicit-any
// Skills through the real gateway and shard workers: listed, readable by the read tool, invocable as /name.
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

Deno.test("skills end to end: /skill-name, reading SKILL.md outside the workspace, nothing else outside it", async () => {
  await using gw = await startTestGateway(ECHO);
  await Deno.mkdir(`${gw.home}/skills/weather`, { recursive: true });
  await Deno.writeTextFile(
    `${gw.home}/skills/weather/SKILL.md`,
    "---\nname: weather\ndescription: Forecasts for a city\n---\nCall the forecast API. marker-4471\n",
  );
  await Deno.writeTextFile(`${gw.home}/secret.txt`, "not for the model");
  const client = await gw.connect({ timeoutMs: 60_000 });
  try {
    const turn = async (text: string) => {
      const { runId } = await client.request<any>("chat.send", { text });
      const r = await client.request<any>("agent.wait", { runId, timeoutMs: 30_000 });
      assert.equal(r.status, "ok", JSON.stringify(r));
      return r.result.payloads[0].text as string;
    };
    const invoked = await turn("/weather Paris");
    assert.match(invoked, /Use the "weather" skill/, "the echo model received the skill turn");
    assert.match(invoked, /skills\/weather\/SKILL\.md/);
    assert.match(invoked, /Request: Paris/);
    const read = await turn(`/tool read {"path":"${gw.home}/skills/weather/SKILL.md"}`);
    assert.match(read, /marker-4471/);
    const outside = await turn(`/tool read {"path":"${gw.home}/secret.txt"}`);
    assert.match(outside, /outside the workspace/);
    assert.doesNotMatch(outside, /not for the model/);
    const traversal = await turn(`/tool read {"path":"${gw.home}/skills/weather/../../secret.txt"}`);
    assert.doesNotMatch(traversal, /not for the model/);
  } finally {
    await client.close();
  }
});

Deno.test("skills and principals: an api client gets the shared skills, never the agent workspace's own", async () => {
  await using gw = await startTestGateway(ECHO);
  await Deno.mkdir(`${gw.home}/skills/weather`, { recursive: true });
  await Deno.writeTextFile(
    `${gw.home}/skills/weather/SKILL.md`,
    "---\nname: weather\ndescription: Forecasts\n---\n",
  );
  await Deno.mkdir(`${gw.home}/workspace/main/skills/payroll`, { recursive: true });
  await Deno.writeTextFile(
    `${gw.home}/workspace/main/skills/payroll/SKILL.md`,
    "---\nname: payroll\ndescription: The owner's payroll\n---\n",
  );
  const token = crypto.randomUUID() + crypto.randomUUID();
  await gw.store.credentials.put({ name: "api client", kind: "operator", scopes: ["read", "write"], token });
  const turn = async (content: string, bearer: string) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content }] }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.choices[0].message.content as string;
  };
  assert.match(await turn("/weather Oslo", token), /Use the "weather" skill/);
  const payroll = await turn("/payroll now", token);
  assert.doesNotMatch(
    payroll,
    /Use the "payroll" skill/,
    "the api principal does not reach workspace skills",
  );
  assert.match(await turn("/payroll now", gw.token.token), /Use the "payroll" skill/, "the owner does");
});
