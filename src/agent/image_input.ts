/**
 * One image file made ready for a vision model: type checked, size checked, read and base64-encoded.
 * Shared by the images a user sends and the images a tool returns.
 */
import type { MediaRef } from "../core/types.ts";
import type { ImageInput } from "../providers/types.ts";

/** MIME types the chat APIs take as image input. */
export const IMAGE_MIMES: ReadonlySet<string> = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
]);

const EXT_MIME: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
};

/** The MIME type of a media file: its own, else from the file extension. */
export function mimeOf(m: Pick<MediaRef, "path" | "mime">): string {
  return m.mime ?? EXT_MIME[m.path.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

/** Base64 of bytes, in slices (no call-stack limit on large files). */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Files larger than this are not read at all (a resize would need their pixels in memory). */
export const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024;

/**
 * Reads an image file for the model, downscaled and re-encoded when over `maxBytes` (JPEG, PNG), or says
 * why it cannot be shown. Never throws.
 */
export async function loadImage(
  m: Pick<MediaRef, "path" | "mime">,
  maxBytes: number,
): Promise<{ image: ImageInput; resized?: { width: number; height: number } } | { reason: string }> {
  const mime = mimeOf(m);
  if (!IMAGE_MIMES.has(mime)) return { reason: `${mime} is not an image type the model accepts` };
  let bytes: Uint8Array;
  try {
    const st = await Deno.stat(m.path);
    if (st.size > MAX_IMAGE_FILE_BYTES) {
      return { reason: `the file is over ${MAX_IMAGE_FILE_BYTES / 1024 / 1024} MB, too large to resize` };
    }
    bytes = await Deno.readFile(m.path);
  } catch (err) {
    return { reason: `cannot read it: ${(err as Error).message}` };
  }
  if (bytes.length <= maxBytes) return { image: { mime, data: toBase64(bytes) } };
  const { fitImage } = await import("./image_fit.ts");
  const fit = await fitImage(bytes, mime, maxBytes);
  if ("reason" in fit) return fit;
  return {
    image: { mime: fit.mime, data: toBase64(fit.bytes) },
    resized: { width: fit.width, height: fit.height },
  };
}
