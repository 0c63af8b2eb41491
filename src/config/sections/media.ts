import { z } from "zod";

/** `media`: what happens to photos and voice notes received on a channel. */
export const mediaSchema = z.strictObject({
  maxImageBytes: z.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024)
    .describe(
      "Images larger than this are downscaled and re-encoded until they fit (JPEG, PNG); others are not sent.",
    ),
  maxImagesPerTurn: z.number().int().min(1).max(20).default(4),
  maxUploadBytes: z.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024).describe(
    "Largest image attached to a web chat message (chat.send); the whole frame is also within gateway.maxFrameBytes.",
  ),
  transcription: z.strictObject({
    provider: z.string().describe("Provider id with an OpenAI-compatible audio/transcriptions API."),
    model: z.string().min(1).describe("e.g. whisper-1, gpt-4o-mini-transcribe."),
    language: z.string().optional(),
    maxBytes: z.number().int().min(1024).default(25 * 1024 * 1024),
  }).optional().describe("Transcribe voice notes; without it the model gets a note with the file path."),
}).prefault({});

export type MediaConfig = z.infer<typeof mediaSchema>;
