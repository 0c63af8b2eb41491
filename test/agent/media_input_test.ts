/** Images and voice notes in: the provider fakes receive images in each API's shape; voice is transcribed. */
import assert from "node:assert/strict";
import { silentLogger } from "../../src/core/logger.ts";
import type { MediaRef } from "../../src/core/types.ts";
import { createModelRouter } from "../../src/providers/failover.ts";
import { createProvider } from "../../src/providers/registry.ts";
import { createTranscriber } from "../../src/providers/transcription.ts";
import { prepareMedia } from "../../src/agent/media_input.ts";
import { configSchema } from "../../src/config/schema.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { harness } from "./helpers.ts";
import { answer } from "../fakes/scripted_model.ts";

// A 1×1 PNG.
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const PNG_B64 = btoa(String.fromCharCode(...PNG));

async function photo(dir: string): Promise<MediaRef> {
  await Deno.writeFile(`${dir}/photo.png`, PNG);
  return { kind: "image", path: `${dir}/photo.png`, mime: "image/png", bytes: PNG.length };
}

type Api = "openai-chat" | "openai-responses" | "anthropic";

async function runWithImage(api: Api, vision: boolean) {
  const fake = api === "anthropic" ? createFakeAnthropic() : createFakeOpenAI();
  fake.enqueue({ text: "A tiny image." });
  const baseUrl = api === "anthropic" ? fake.origin : fake.url;
  const ref = "p/vision-model";
  const h = await harness({
    config: {
      providers: { p: { api, baseUrl, apiKey: "k" } },
      agents: { defaults: { model: { primary: ref } } },
      models: vision ? { [ref]: { input: ["text", "image"] } } : {},
    },
    models: (clock) =>
      createModelRouter({
        providers: new Map([["p", createProvider("p", { api, baseUrl, apiKey: "k" })]]),
        clock,
        logger: silentLogger,
      }),
  });
  try {
    const media = await photo(h.home);
    const r = await (await h.runtime.start({
      agentId: "main",
      sessionKey: "s",
      text: "what is this?",
      media: [media],
    }))
      .done;
    const body = fake.requests.at(-1)!.body;
    assert.equal(r.status, "ok", JSON.stringify([r.error, body]).slice(0, 3000));
    const entries = (await h.runtime.history("s")).entries;
    const milestones = await h.store.milestones.forRun(r.runId);
    return { body, entries, milestones, path: media.path };
  } finally {
    await h.close();
    await fake.close();
  }
}

const lastUser = (items: unknown[]) =>
  (items as { role?: string; content: unknown }[]).filter((m) => m.role === "user").at(-1)!;

Deno.test("image in: OpenAI chat gets an image_url data URL part", async () => {
  const { body, entries, milestones } = await runWithImage("openai-chat", true);
  const content = lastUser(body.messages as unknown[]).content as Record<string, unknown>[];
  assert.deepEqual(content[0], { type: "text", text: content[0]!.text });
  assert.match(
    content[0]!.text as string,
    /^what is this\?\n\n\[Image: .*photo\.png \(image\/png, 1 KB\)\]$/,
  );
  assert.deepEqual(content[1], { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } });
  const user = entries.find((e) => e.kind === "user")!;
  assert.equal((user.content as { media?: unknown[] }).media?.length, 1, "the transcript keeps the media");
  assert.deepEqual(milestones.find((m) => m.kind === "media")?.data, {
    images: 1,
    transcripts: [],
    skipped: [],
  });
});

Deno.test("image in: OpenAI Responses gets an input_image part", async () => {
  const { body } = await runWithImage("openai-responses", true);
  const content = lastUser(body.input as unknown[]).content as Record<string, unknown>[];
  assert.equal(content[0]!.type, "input_text");
  assert.deepEqual(content[1], {
    type: "input_image",
    image_url: `data:image/png;base64,${PNG_B64}`,
    detail: "auto",
  });
});

Deno.test("image in: Anthropic gets a base64 image block before the text", async () => {
  const { body } = await runWithImage("anthropic", true);
  const content = lastUser(body.messages as unknown[]).content as Record<string, unknown>[];
  assert.deepEqual(content[0], {
    type: "image",
    source: { type: "base64", media_type: "image/png", data: PNG_B64 },
  });
  assert.equal(content[1]!.type, "text");
});

Deno.test("image in: a model not marked as vision-capable gets a text note with the path", async () => {
  const { body, path } = await runWithImage("openai-chat", false);
  const content = lastUser(body.messages as unknown[]).content;
  assert.equal(typeof content, "string");
  assert.equal(
    content,
    `what is this?\n\n[Image: ${path} (image/png, 1 KB) — not shown: the model p/vision-model is not marked as accepting images]`,
  );
});

Deno.test("prepareMedia: size cap, per-turn cap, files and voice without transcription", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const img = await photo(dir);
    const config = configSchema.parse({
      models: { input: { "p/m": ["text", "image"] } },
      media: { maxImageBytes: 1024, maxImagesPerTurn: 1 },
    });
    await Deno.writeFile(`${dir}/big.png`, new Uint8Array(2048));
    const r = await prepareMedia(
      { config },
      [
        { kind: "image", path: `${dir}/big.png`, mime: "image/png" },
        img,
        img,
        { kind: "audio", path: `${dir}/v.ogg`, mime: "audio/ogg" },
        { kind: "document", path: `${dir}/a.pdf`, mime: "application/pdf", bytes: 4096 },
      ],
      "p/m",
      new AbortController().signal,
    );
    assert.equal(r.images.length, 1);
    assert.match(r.notes[0]!, /not shown: not a readable image\/png image/);
    assert.match(r.notes[1]!, /^\[Image: .*photo\.png \(image\/png, 1 KB\)\]$/);
    assert.match(r.notes[2]!, /not shown: more than 1 images in one turn/);
    assert.match(
      r.notes[3]!,
      /^\[Voice note: .*v\.ogg \(audio\/ogg\) — not transcribed: no transcription model/,
    );
    assert.equal(r.notes[4], `[File: ${dir}/a.pdf (application/pdf, 4 KB)]`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("voice in: transcribed through an OpenAI-compatible audio/transcriptions API; shown in the timeline", async () => {
  const received: { model: string; file: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname !== "/v1/audio/transcriptions") return new Response("no", { status: 404 });
    const form = await req.formData();
    const file = form.get("file") as File;
    received.push({
      model: String(form.get("model")),
      file: `${file.name}:${(await file.arrayBuffer()).byteLength}`,
    });
    return Response.json({ text: "Remind me to buy milk." });
  });
  const providers = configSchema.parse({
    providers: {
      stt: { api: "openai-chat", baseUrl: `http://127.0.0.1:${server.addr.port}/v1`, apiKey: "k" },
    },
  }).providers;
  const transcribe = createTranscriber(
    { provider: "stt", model: "whisper-1", maxBytes: 1_000_000 },
    providers,
  );
  const h = await harness({ steps: [answer("Noted.")], transcribe });
  try {
    await Deno.writeFile(`${h.home}/voice.ogg`, new Uint8Array(300));
    const r = await (await h.runtime.start({
      agentId: "main",
      sessionKey: "s",
      text: "",
      media: [{ kind: "audio", path: `${h.home}/voice.ogg`, mime: "audio/ogg" }],
    })).done;
    assert.equal(r.status, "ok", r.text);
    assert.deepEqual(received, [{ model: "whisper-1", file: "voice.ogg:300" }]);
    const sent = h.model.calls.at(-1)!.req.messages.at(-1)!;
    assert.equal(sent.content, `[Voice note: ${h.home}/voice.ogg, transcript: Remind me to buy milk.]`);
    const m = (await h.store.milestones.forRun(r.runId)).find((x) => x.kind === "media");
    assert.deepEqual(m?.data.transcripts, [{ path: `${h.home}/voice.ogg`, text: "Remind me to buy milk." }]);
  } finally {
    await h.close();
    await server.shutdown();
  }
});
