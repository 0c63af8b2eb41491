/** Stores inbound WhatsApp media under `<mediaDir>/whatsapp/<account>/`, named by message id. */
import type { MediaRef } from "../../core/types.ts";

const EXT: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "audio/mp4": ".m4a",
  "video/mp4": ".mp4",
  "application/pdf": ".pdf",
};

/** Writes one file (0600) and returns its reference. */
export async function saveWhatsAppMedia(
  dir: string,
  file: { id: string; kind: MediaRef["kind"]; mime?: string; name?: string; bytes: Uint8Array },
): Promise<MediaRef> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const mime = file.mime?.split(";")[0]?.trim();
  const fromName = /\.([A-Za-z0-9]{1,8})$/.exec(file.name ?? "")?.[0]?.toLowerCase();
  const path = `${dir}/${file.id.replace(/[^\w-]/g, "_")}${fromName ?? EXT[mime ?? ""] ?? ""}`;
  await Deno.writeFile(path, file.bytes, { mode: 0o600 });
  return { kind: file.kind, path, mime, bytes: file.bytes.length, ...(file.name ? { name: file.name } : {}) };
}
