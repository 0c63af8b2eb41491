// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { startTestGateway } from "../helpers/gateway.ts";

Deno.test("current_time is offered under the default tool profile and answers in a running gateway", async () => {
  await using gw = await startTestGateway({ agents: { defaults: { model: { primary: "echo/echo" } } } });
  const client = await gw.connect();
  try {
    const final = await client.request<any>("agent", {
      message: '/tool current_time {"timeZone":"Europe/Berlin"}',
      idempotencyKey: "t1",
    }, { timeoutMs: 60_000, onAck: () => {} });
    const text = final.result?.payloads?.[0]?.text as string;
    assert.equal(final.status, "ok", text);
    assert.doesNotMatch(text, /not (available|allowed|in the)|unknown tool/i);
    assert.match(text, /Europe\/Berlin/);
    assert.match(text, /\d{4}-\d{2}-\d{2}/);
  } finally {
    await client.close();
  }
});
