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

/** Reads an image file for the model, or says why it cannot be shown. Never throws. */
export async function loadImage(
  m: Pick<MediaRef, "path" | "mime">,
  maxBytes: number,
): Promise<{ image: ImageInput } | { reason: string }> {
  const mime = mimeOf(m);
  if (!IMAGE_MIMES.has(mime)) return { reason: `${mime} is not an image type the model accepts` };
  try {
    const st = await Deno.stat(m.path);
    if (st.size > maxBytes) return { reason: `larger than media.maxImageBytes (${maxBytes} bytes)` };
    return { image: { mime, data: toBase64(await Deno.readFile(m.path)) } };
  } catch (err) {
    return { reason: `cannot read it: ${(err as Error).message}` };
  }
}
