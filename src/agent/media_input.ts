/**
 * Media received with a message, made ready for the model: images go to a vision-capable model
 * (`models.<ref>.input` lists "image") as image input, downscaled to fit `media.maxImageBytes`, at most
 * `media.maxImagesPerTurn`; voice notes are transcribed when `media.transcription` is configured. Every
 * item also becomes one line of the user's text (path, and the transcript or why an image was not shown),
 * so later turns, other models and the transcript still know what was sent.
 */
import type { Config } from "../config/schema.ts";
import { acceptsImages } from "../config/sections/providers.ts";
import type { MediaRef } from "../core/types.ts";
import type { ImageInput } from "../providers/types.ts";
import { loadImage, mimeOf } from "./image_input.ts";

/** Turns an audio file into text (an OpenAI-compatible audio/transcriptions API). */
export type Transcriber = (media: MediaRef, signal: AbortSignal) => Promise<string>;

export interface PreparedMedia {
  /** Lines appended to the user's text. */
  notes: string[];
  images: ImageInput[];
  transcripts: { path: string; text: string }[];
  /** Why items were not shown or transcribed. */
  skipped: { path: string; reason: string }[];
}

function kb(bytes: number | undefined): string {
  return bytes === undefined ? "" : `, ${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The `media` milestone of a run: what was shown, transcribed or skipped (transcripts for the timeline). */
export function mediaMilestone(p: PreparedMedia): Record<string, unknown> {
  return {
    images: p.images.length,
    transcripts: p.transcripts.map((t) => ({ path: t.path, text: t.text.slice(0, 1000) })),
    skipped: p.skipped,
  };
}

/** Prepares the media of one turn for the model `modelRef` (the first of the chain). Never throws. */
export async function prepareMedia(
  deps: { config: Pick<Config, "models" | "media">; transcribe?: Transcriber },
  media: readonly MediaRef[],
  modelRef: string | undefined,
  signal: AbortSignal,
): Promise<PreparedMedia> {
  const out: PreparedMedia = { notes: [], images: [], transcripts: [], skipped: [] };
  const vision = acceptsImages(deps.config.models, modelRef);
  const { maxImageBytes, maxImagesPerTurn } = deps.config.media;
  for (const m of media) {
    const mime = mimeOf(m);
    if (m.kind === "image") {
      let reason: string | undefined;
      let shown = "";
      if (!vision) reason = `the model ${modelRef ?? "(none)"} is not marked as accepting images`;
      else if (out.images.length >= maxImagesPerTurn) {
        reason = `more than ${maxImagesPerTurn} images in one turn`;
      } else {
        const loaded = await loadImage({ path: m.path, mime }, maxImageBytes);
        if ("reason" in loaded) reason = loaded.reason;
        else {
          out.images.push(loaded.image);
          if (loaded.resized) shown = ` — shown resized to ${loaded.resized.width}×${loaded.resized.height}`;
        }
      }
      if (reason) out.skipped.push({ path: m.path, reason });
      out.notes.push(
        `[Image: ${m.path} (${mime}${kb(m.bytes)})${reason ? ` — not shown: ${reason}` : shown}]`,
      );
      continue;
    }
    if (m.kind === "audio") {
      if (!deps.transcribe) {
        out.skipped.push({ path: m.path, reason: "no transcription model (media.transcription)" });
        out.notes.push(
          `[Voice note: ${m.path} (${mime}${
            kb(m.bytes)
          }) — not transcribed: no transcription model is configured]`,
        );
        continue;
      }
      try {
        const text = (await deps.transcribe(m, signal)).trim();
        out.transcripts.push({ path: m.path, text });
        out.notes.push(`[Voice note: ${m.path}, transcript: ${text || "(silence)"}]`);
      } catch (err) {
        if (signal.aborted) throw err;
        const reason = `transcription failed: ${(err as Error).message}`;
        out.skipped.push({ path: m.path, reason });
        out.notes.push(`[Voice note: ${m.path} (${mime}${kb(m.bytes)}) — ${reason}]`);
      }
      continue;
    }
    out.notes.push(`[${m.kind === "video" ? "Video" : "File"}: ${m.path} (${mime}${kb(m.bytes)})]`);
  }
  return out;
}
