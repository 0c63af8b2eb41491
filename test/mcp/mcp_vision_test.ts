// deno-lint-ignore-file no-explicit-any
// An MCP tool's image reaches a vision model in each API's shape (real SDKs → fake servers), through the
// real gateway, shard workers and the MCP fixture server; a model without vision gets the text note.
import assert from "node:assert/strict";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { stdioServer } from "./mcp_fixture.ts";

const VISION = { input: ["text", "image"] };

async function setup() {
  const openai = createFakeOpenAI();
  const anthropic = createFakeAnthropic();
  const gw = await startTestGateway({
    providers: {
      oc: { api: "openai-chat", baseUrl: openai.url, apiKey: "k" },
      or: { api: "openai-responses", baseUrl: openai.url, apiKey: "k" },
      an: { api: "anthropic", baseUrl: anthropic.origin, apiKey: "k" },
    },
    models: { "oc/vision-chat": VISION, "or/vision-resp": VISION, "an/vision-anth": VISION },
    agents: {
      defaults: { model: { primary: "oc/plain" } },
      list: [
        { id: "main" },
        { id: "chat", model: { primary: "oc/vision-chat" } },
        { id: "resp", model: { primary: "or/vision-resp" } },
        { id: "anth", model: { primary: "an/vision-anth" } },
      ],
    },
    tools: { mcp: { ask: "off" } },
    mcp: { servers: { fx: stdioServer() } },
  });
  const client = await gw.connect({ timeoutMs: 60_000 });
  return {
    openai,
    anthropic,
    client,
    /** One turn of agent `agentId` in which the model calls the image tool (and `add`), then answers. */
    async turn(agentId: string, fake: typeof openai, model: string) {
      fake.enqueue(
        {
          model,
          toolCalls: [
            { id: "toolu_img1", name: "mcp__fx__image", arguments: {} },
            { id: "toolu_add1", name: "mcp__fx__add", arguments: { a: 1, b: 2 } },
          ],
        },
        { model, text: "I see one pixel." },
      );
      const before = fake.requests.length;
      const { runId } = await client.request<any>("chat.send", { text: "look", agentId });
      const r = await client.request<any>("agent.wait", { runId, timeoutMs: 60_000 });
      assert.equal(r.result.payloads[0].text, "I see one pixel.", JSON.stringify(r.result));
      assert.equal(fake.requests.length, before + 2);
      const body = fake.requests.at(-1)!.body as any;
      const history = await client.request<any>("chat.history", { sessionKey: `agent:${agentId}:main` });
      const result = history.entries.find((e: any) => e.kind === "tool_result" && e.content.media);
      return { body, result };
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await gw[Symbol.asyncDispose]();
      await openai.close();
      await anthropic.close();
    },
  };
}

async function dataUrlOf(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  return `data:image/png;base64,${btoa(String.fromCharCode(...bytes))}`;
}

Deno.test("MCP image to vision models: Anthropic tool_result, OpenAI chat follow-up user message, Responses output", async () => {
  await using t = await setup();

  // Anthropic: the image is an `image` block inside the tool_result, after the text.
  const anth = await t.turn("anth", t.anthropic, "vision-anth");
  const path = anth.result.content.media[0].path as string;
  assert.match(path, /\/mcp-[0-9a-f-]+\.png$/);
  assert.equal(
    JSON.stringify(anth.result).includes("base64"),
    false,
    "the transcript holds a reference only",
  );
  const results = anth.body.messages.at(-1).content as any[];
  const img = results.find((b) => b.tool_use_id === "toolu_img1");
  assert.equal(img.type, "tool_result");
  assert.match(img.content[0].text, /a pixel\n\[image image\/png, \d+ bytes, saved to /);
  assert.deepEqual(img.content[1], {
    type: "image",
    source: { type: "base64", media_type: "image/png", data: (await dataUrlOf(path)).split(",")[1] },
  });
  assert.equal(results.find((b) => b.tool_use_id === "toolu_add1").content, "3");

  // OpenAI chat: tool messages stay text; one user message after the last tool message holds the image.
  const chat = await t.turn("chat", t.openai, "vision-chat");
  const msgs = chat.body.messages as any[];
  const roles = msgs.slice(-4).map((m) => m.role);
  assert.deepEqual(roles, ["assistant", "tool", "tool", "user"]);
  assert.equal(typeof msgs.at(-3).content, "string");
  const [note, part] = msgs.at(-1).content;
  assert.deepEqual(note, {
    type: "text",
    text: "[1 image returned by tool call toolu_img1 (mcp__fx__image)]",
  });
  assert.deepEqual(part, {
    type: "image_url",
    image_url: { url: await dataUrlOf(chat.result.content.media[0].path) },
  });

  // OpenAI Responses: function_call_output carries input_text + input_image parts.
  const resp = await t.turn("resp", t.openai, "vision-resp");
  const out = (resp.body.input as any[]).find((i) =>
    i.type === "function_call_output" && i.call_id === "toolu_img1"
  );
  assert.equal(out.output[0].type, "input_text");
  assert.deepEqual(out.output[1], {
    type: "input_image",
    image_url: await dataUrlOf(resp.result.content.media[0].path),
    detail: "auto",
  });
  const add = (resp.body.input as any[]).find((i) =>
    i.type === "function_call_output" && i.call_id === "toolu_add1"
  );
  assert.equal(add.output, "3");
});

Deno.test("MCP image to a model without vision: only the text note with the saved path", async () => {
  await using t = await setup();
  const plain = await t.turn("main", t.openai, "plain");
  const msgs = plain.body.messages as any[];
  assert.deepEqual(msgs.slice(-3).map((m) => m.role), ["assistant", "tool", "tool"]);
  const path = plain.result.content.media[0].path as string;
  assert.equal(
    msgs.at(-2).content,
    `a pixel\n[image image/png, ${(await Deno.stat(path)).size} bytes, saved to ${path}]`,
  );
  assert.equal(JSON.stringify(plain.body).includes("data:image"), false);
});
