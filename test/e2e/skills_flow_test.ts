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
