/**
 * Images attached to a web chat message (`chat.send` `attachments`): base64 content, checked for size
 * (`media.maxUploadBytes` each, at most `media.maxImagesPerTurn`), for type (JPEG, PNG, GIF, WebP — the
 * declared type must match the file's own signature) and for well-formed base64, then saved under
 * `<media>/webchat/` like the files of any channel. Whoever may `chat.send` to a session may attach.
 */
import { z } from "zod";
import type { MediaConfig } from "../../config/sections/media.ts";
import { TalonError } from "../../core/errors.ts";
import type { MediaRef } from "../../core/types.ts";

export const attachmentSchema = z.strictObject({
  type: z.literal("image").default("image"),
  mimeType: z.string().max(100),
  fileName: z.string().max(255).optional(),
  /** Base64 (standard alphabet, padded); a `data:` URL prefix is accepted. */
  content: z.string().min(1),
});

export type ChatAttachment = z.infer<typeof attachmentSchema>;

const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/png": (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  "image/gif": (b) => String.fromCharCode(...b.subarray(0, 4)) === "GIF8",
  "image/webp": (b) =>
    String.fromCharCode(...b.subarray(0, 4)) === "RIFF" &&
    String.fromCharCode(...b.subarray(8, 12)) === "WEBP",
};
const EXT: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
};

const invalid = (message: string) => new TalonError("INVALID_REQUEST", message);

/** Decodes and checks every attachment first, then saves them; throws INVALID_REQUEST / PAYLOAD_TOO_LARGE. */
export async function saveChatAttachments(
  attachments: readonly ChatAttachment[],
  deps: { media: Pick<MediaConfig, "maxUploadBytes" | "maxImagesPerTurn">; mediaDir: string },
): Promise<MediaRef[]> {
  const { maxUploadBytes, maxImagesPerTurn } = deps.media;
  if (attachments.length > maxImagesPerTurn) {
    throw invalid(`At most ${maxImagesPerTurn} attachments per message (media.maxImagesPerTurn)`);
  }
  const files = attachments.map((a, i) => {
    const mime = a.mimeType.toLowerCase().split(";")[0]!.trim();
    const label = `attachment ${i + 1}${a.fileName ? ` (${a.fileName})` : ""}`;
    if (!SIGNATURES[mime]) {
      throw invalid(`${label}: ${mime} is not an accepted image type (JPEG, PNG, GIF, WebP)`);
    }
    const b64 = a.content.replace(/^data:[^;,]+;base64,/, "").replace(/\s+/g, "");
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      throw invalid(`${label}: not valid base64`);
    }
    if (Math.floor(b64.length / 4) * 3 > maxUploadBytes + 2) {
      throw new TalonError(
        "PAYLOAD_TOO_LARGE",
        `${label}: larger than media.maxUploadBytes (${maxUploadBytes} bytes)`,
      );
    }
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    if (bytes.length > maxUploadBytes) {
      throw new TalonError(
        "PAYLOAD_TOO_LARGE",
        `${label}: larger than media.maxUploadBytes (${maxUploadBytes} bytes)`,
      );
    }
    if (!SIGNATURES[mime]!(bytes)) throw invalid(`${label}: the content is not an image of type ${mime}`);
    return { mime, bytes, name: a.fileName };
  });
  if (!files.length) return [];
  const dir = `${deps.mediaDir}/webchat`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const out: MediaRef[] = [];
  for (const f of files) {
    const path = `${dir}/${crypto.randomUUID()}.${EXT[f.mime]}`;
    await Deno.writeFile(path, f.bytes, { mode: 0o600 });
    out.push({
      kind: "image",
      path,
      mime: f.mime,
      bytes: f.bytes.length,
      ...(f.name ? { name: f.name } : {}),
    });
  }
  return out;
}
