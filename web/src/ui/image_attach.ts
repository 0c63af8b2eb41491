/// <reference lib="dom" />
/**
 * Images picked in the chat composer, made ready for `chat.send` `attachments`: base64 content, and
 * small enough that a message with a few of them fits one WebSocket frame (gateway.maxFrameBytes, 1 MB by
 * default). Larger photos are downscaled in the browser (its own decoders) and sent as JPEG; the gateway
 * checks everything again.
 */

/** One image attached to the next message. */
export interface ImageAttachment {
  name: string;
  mimeType: string;
  /** Base64 of the bytes to send. */
  content: string;
  /** Bytes sent (after any downscale). */
  size: number;
  /** Set when the browser downscaled it. */
  resized?: boolean;
}

export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
/** Per image: larger ones are downscaled; the frame holds about two of this size with text. */
export const IMAGE_BUDGET = 350_000;
/** All images of one message together (base64 grows by 4/3; the frame limit is 1 MB by default). */
export const MESSAGE_BUDGET = 700_000;

const base64 = async (blob: Blob): Promise<string> => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
};

/** Draws the image smaller and re-encodes it as JPEG until it is within `budget` bytes. */
async function downscale(file: File, budget: number): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  try {
    let edge = Math.min(1600, Math.max(bitmap.width, bitmap.height));
    for (let i = 0; i < 6; i++) {
      const k = edge / Math.max(bitmap.width, bitmap.height);
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * k));
      canvas.height = Math.max(1, Math.round(bitmap.height * k));
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#fff"; // transparency becomes white in a JPEG
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/jpeg", 0.82));
      if (blob && blob.size <= budget) return blob;
      edge = Math.floor(edge * 0.75);
    }
    throw new Error("still too large after downscaling");
  } finally {
    bitmap.close();
  }
}

/** Reads a picked image, downscaling it when over `IMAGE_BUDGET` or of a type the gateway does not take. */
export async function readImage(file: File): Promise<ImageAttachment> {
  if (IMAGE_TYPES.includes(file.type) && file.size <= IMAGE_BUDGET) {
    return { name: file.name, mimeType: file.type, content: await base64(file), size: file.size };
  }
  const blob = await downscale(file, IMAGE_BUDGET);
  return {
    name: file.name,
    mimeType: "image/jpeg",
    content: await base64(blob),
    size: blob.size,
    resized: true,
  };
}
