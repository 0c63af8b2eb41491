// deno-lint-ignore-file no-explicit-any
/** An exec that needs approval, reached through /v1/chat/completions: the caller is told, and not left hanging. */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startTestGateway } from "../helpers/gateway.ts";

const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

async function withDeadline<T>(what: string, p: Promise<T>, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("/v1/chat/completions streaming: a pending approval is announced with its id and how to approve; the stream ends with the run", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token.token, maxRetries: 0 });
  try {
    const stream = await openai.chat.completions.create({
      model: "talon/main",
      messages: [{ role: "user", content: '/tool exec {"argv":["echo","via-http"]}' }],
      stream: true,
    });
    const it = stream[Symbol.asyncIterator]();
    let text = "";
    while (!/Approval pending/.test(text)) {
      const next = await withDeadline("the approval notice in the stream", it.next());
      assert.ok(!next.done, `the stream ended before announcing the approval: ${text}`);
      text += next.value.choices[0]?.delta?.content ?? "";
    }
    const id = /\(id (\S+)\)/.exec(text)?.[1];
    assert.ok(id, `the notice names the approval id: ${text}`);
    assert.match(text, new RegExp(`talon approvals approve ${id}`));
    await client.request("approval.resolve", { id, decision: "allow-once" });
    while (true) {
      const next = await withDeadline("the end of the stream after the approval", it.next());
      if (next.done) break;
      text += next.value.choices[0]?.delta?.content ?? "";
    }
    assert.match(text, /via-http/, "the run went on after the approval and its answer was streamed");
  } finally {
    await client.close();
  }
});

Deno.test("/v1/chat/completions (not streaming): the answer names the approval the run waited for", async () => {
  await using gw = await startTestGateway(ECHO);
  const client = await gw.connect();
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token.token, maxRetries: 0 });
  try {
    const requested = Promise.withResolvers<any>();
    client.onEvent((e, p) => e === "approval.requested" && requested.resolve(p));
    await client.request("events.subscribe", { events: ["approval.requested"] });
    const answer = openai.chat.completions.create({
      model: "talon/main",
      messages: [{ role: "user", content: '/tool exec {"argv":["echo","plain-http"]}' }],
    });
    const approval = await withDeadline("approval.requested", requested.promise);
    await client.request("approval.resolve", { id: approval.id, decision: "allow-once" });
    const done = await withDeadline("the HTTP answer", answer);
    const content = done.choices[0]!.message.content!;
    assert.match(
      content,
      new RegExp(`Approval pending: exec \`/usr/bin/echo plain-http\`.*id ${approval.id}`),
    );
    assert.match(content, /plain-http/);
  } finally {
    await client.close();
  }
});
