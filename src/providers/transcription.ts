/**
 * Voice notes to text through an OpenAI-compatible `POST /audio/transcriptions` (OpenAI whisper-1 /
 * gpt-4o-mini-transcribe, or a local server), with the `openai` SDK loaded on first use.
 */
import type { MediaConfig } from "../config/sections/media.ts";
import type { ProvidersConfig } from "../config/sections/providers.ts";
import type { MediaRef } from "../core/types.ts";
import { classifyError } from "./classify.ts";

type TranscriptionConfig = NonNullable<MediaConfig["transcription"]>;

/** A transcriber for `media.transcription`. Throws TypeError when its provider is missing or not OpenAI-like. */
export function createTranscriber(
  cfg: TranscriptionConfig,
  providers: ProvidersConfig,
): (media: MediaRef, signal: AbortSignal) => Promise<string> {
  const p = providers[cfg.provider];
  if (!p) {
    throw new TypeError(`media.transcription: provider "${cfg.provider}" is not configured in providers`);
  }
  if (p.api === "anthropic" || p.api === "echo") {
    throw new TypeError(
      `media.transcription: provider "${cfg.provider}" (${p.api}) has no transcription API`,
    );
  }
  let client: Promise<import("openai").OpenAI> | undefined;
  const load = () =>
    client ??= import("./openai_client.ts").then((m) =>
      m.createOpenAIClient({
        id: cfg.provider,
        apiKey: p.apiKey,
        baseUrl: p.baseUrl,
        headers: p.headers,
        timeoutMs: p.timeoutMs ?? 120_000,
      })
    );
  return async (media, signal) => {
    const st = await Deno.stat(media.path);
    if (st.size > cfg.maxBytes) throw new RangeError(`the file is larger than ${cfg.maxBytes} bytes`);
    const bytes = await Deno.readFile(media.path);
    const { toFile } = await import("openai");
    const name = media.name ?? media.path.split("/").pop() ?? "voice.ogg";
    try {
      const res = await (await load()).audio.transcriptions.create(
        {
          file: await toFile(bytes, name, { type: media.mime ?? "audio/ogg" }),
          model: cfg.model,
          ...(cfg.language ? { language: cfg.language } : {}),
        },
        { signal },
      );
      return typeof res === "string" ? res : res.text;
    } catch (err) {
      throw classifyError(err, { provider: cfg.provider, signal });
    }
  };
}
