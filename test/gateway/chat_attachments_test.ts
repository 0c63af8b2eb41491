// deno-lint-ignore-file no-explicit-any
/**
 * Web chat image uploads: chat.send `attachments` (base64) are checked, saved under <media>/webchat and
 * reach a vision model as an image (real OpenAI SDK → fake server). Bad input is refused before anything
 * is saved or run. Who may attach is whoever may chat.send: a write credential (api) may, a read-only one
 * may not.
 */
import assert from "node:assert/strict";
import type { GatewayRequestError } from "../../src/gateway/client.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startTestGateway } from "../helpers/gateway.ts";

const PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const png = (mimeType = "image/png", content = PNG_B64) => ({
  type: "image",
  mimeType,
  content,
  fileName: "dot.png",
});

async function setup() {
  const fake = createFakeOpenAI({ fallback: { text: "a dot" } });
  const gw = await startTestGateway({
    providers: { p: { api: "openai-chat", baseUrl: fake.url, apiKey: "k" } },
    models: { "p/vision": { input: ["text", "image"] } },
    agents: { defaults: { model: { primary: "p/vision" } } },
    media: { maxUploadBytes: 2048, maxImagesPerTurn: 2 },
  });
  const client = await gw.connect({ timeoutMs: 30_000 });
  const saved = () => {
    try {
      return [...Deno.readDirSync(`${gw.home}/media/webchat`)].length;
    } catch {
      return 0;
    }
  };
  return {
    fake,
    gw,
    client,
    saved,
    async [Symbol.asyncDispose]() {
      await client.close();
      await gw[Symbol.asyncDispose]();
      await fake.close();
    },
  };
}

Deno.test("chat.send attachments: an image is saved like channel media and reaches the vision model", async () => {
  await using t = await setup();
  const { runId } = await t.client.request<any>("chat.send", { text: "what is this?", attachments: [png()] });
  const done = await t.client.request<any>("agent.wait", { runId, timeoutMs: 30_000 });
  assert.equal(done.result.payloads[0].text, "a dot");
  const user = (t.fake.requests.at(-1)!.body as any).messages.at(-1);
  assert.equal(user.role, "user");
  assert.match(
    user.content[0].text,
    /^what is this\?\n\n\[Image: .*\/media\/webchat\/[0-9a-f-]+\.png \(image\/png, 1 KB\)\]$/,
  );
  assert.deepEqual(user.content[1], {
    type: "image_url",
    image_url: { url: `data:image/png;base64,${PNG_B64}` },
  });
  const [file] = [...Deno.readDirSync(`${t.gw.home}/media/webchat`)];
  const st = await Deno.stat(`${t.gw.home}/media/webchat/${file!.name}`);
  assert.equal(st.size, atob(PNG_B64).length);
  assert.equal(st.mode! & 0o777, 0o600);
  // An image alone (no text) is a message too.
  const alone = await t.client.request<any>("chat.send", { attachments: [png()] });
  await t.client.request<any>("agent.wait", { runId: alone.runId, timeoutMs: 30_000 });
  assert.equal((t.fake.requests.at(-1)!.body as any).messages.at(-1).content[1].type, "image_url");
});

Deno.test("chat.send attachments: oversized, wrong type, mismatched content, malformed base64, too many are refused", async () => {
  await using t = await setup();
  const cases: [unknown[], string, RegExp][] = [
    [
      [png("image/png", btoa("\x89PNG\r\n\x1a\n" + "x".repeat(3000)))],
      "PAYLOAD_TOO_LARGE",
      /larger than media\.maxUploadBytes \(2048 bytes\)/,
    ],
    [
      [png("image/svg+xml", btoa("<svg/>"))],
      "INVALID_REQUEST",
      /image\/svg\+xml is not an accepted image type/,
    ],
    [
      [png("image/png", btoa("#!/bin/sh\necho not a png"))],
      "INVALID_REQUEST",
      /the content is not an image of type image\/png/,
    ],
    [[png("image/png", "iVBOR$$$not-base64")], "INVALID_REQUEST", /not valid base64/],
    [[png(), png(), png()], "INVALID_REQUEST", /At most 2 attachments per message/],
    [[{ mimeType: "image/png" }], "INVALID_REQUEST", /content/],
    [[], "INVALID_REQUEST", /text or attachments is required/],
  ];
  for (const [attachments, code, message] of cases) {
    await assert.rejects(
      t.client.request("chat.send", { attachments }),
      (err: GatewayRequestError) => {
        assert.equal(err.code, code, err.message);
        assert.match(err.message, message);
        return true;
      },
    );
  }
  assert.equal(t.saved(), 0, "nothing was saved");
  assert.equal(t.fake.requests.length, 0, "no run started");
});

Deno.test("chat.send attachments: a write (api) credential may attach; a read-only one may not", async () => {
  await using t = await setup();
  const readToken = "read-only-token-read-only-token-0";
  const writeToken = "write-only-token-write-only-token";
  await t.gw.store.credentials.put({ name: "viewer", kind: "operator", scopes: ["read"], token: readToken });
  await t.gw.store.credentials.put({
    name: "app",
    kind: "operator",
    scopes: ["read", "write"],
    token: writeToken,
  });
  const viewer = await t.gw.connect({ token: readToken });
  try {
    await assert.rejects(
      viewer.request("chat.send", { text: "hi", attachments: [png()] }),
      (e: GatewayRequestError) => e.code === "FORBIDDEN",
    );
  } finally {
    await viewer.close();
  }
  assert.equal(t.saved(), 0);
  const app = await t.gw.connect({ token: writeToken });
  try {
    const { runId } = await app.request<any>("chat.send", { text: "hi", attachments: [png()] });
    await app.request<any>("agent.wait", { runId, timeoutMs: 30_000 });
    const timeline = await app.request<any>("runs.timeline", { runId });
    const start = timeline.milestones.find((m: any) => m.kind === "run.start");
    assert.match(JSON.stringify(start.data.principal), /api/);
    assert.equal(timeline.milestones.find((m: any) => m.kind === "ingress").data.media, 1);
  } finally {
    await app.close();
  }
  assert.equal(t.saved(), 1);
});
