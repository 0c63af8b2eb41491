/**
 * Makes an image fit `media.maxImageBytes` by downscaling it (area average) and re-encoding it, rather
 * than leaving it out. JPEG stays JPEG; PNG stays PNG when that fits at the first size tried, else it
 * becomes a JPEG (transparency flattened on white), since photos saved as PNG rarely fit otherwise.
 * Other types (GIF, WebP) have no decoder here and are not resized.
 *
 * The codecs are pure JavaScript (jpeg-js, pngjs — no native image library is available to a Deno single
 * binary), imported only when a resize is needed. Decoding is bounded: images over `MAX_PIXELS` are
 * refused before their pixels are allocated.
 */
import { Buffer } from "node:buffer";

/** The largest decoded image accepted (40 megapixels, 160 MB of RGBA). */
export const MAX_PIXELS = 40_000_000;
/** The first long edge tried: vision APIs scale larger images down to about this anyway. */
const FIRST_EDGE = 2048;
const JPEG_QUALITY = 85;
const MAX_TRIES = 8;

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

export type FitResult =
  | { bytes: Uint8Array; mime: string; width: number; height: number; resized: boolean }
  | { reason: string };

interface PngModule {
  PNG: {
    sync: {
      read(data: Uint8Array): { width: number; height: number; data: Uint8Array };
      write(
        png: { width: number; height: number; data: Uint8Array },
        opts?: Record<string, unknown>,
      ): Uint8Array;
    };
  };
}

/** Width and height from a PNG (IHDR) or JPEG (SOFn) header, without decoding; undefined when unknown. */
export function imageSize(bytes: Uint8Array, mime: string): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (mime === "image/png") {
    const png = bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e;
    return png ? { width: view.getUint32(16), height: view.getUint32(20) } : undefined;
  }
  if (mime !== "image/jpeg" || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    const len = view.getUint16(i + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    i += 2 + len;
  }
  return undefined;
}

/** Downscales RGBA pixels to `width` × `height` by averaging the source area under each pixel. */
export function downscale(src: Rgba, width: number, height: number): Rgba {
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width, sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0, a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * src.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, p += 4) {
          r += src.data[p]!;
          g += src.data[p + 1]!;
          b += src.data[p + 2]!;
          a += src.data[p + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0), o = (y * width + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = a / n;
    }
  }
  return { width, height, data: out };
}

/** Composites RGBA on white, so a transparent PNG becomes a sensible JPEG. */
function onWhite(img: Rgba): Rgba {
  const data = new Uint8Array(img.data.length);
  for (let p = 0; p < data.length; p += 4) {
    const a = img.data[p + 3]! / 255;
    for (let c = 0; c < 3; c++) data[p + c] = img.data[p + c]! * a + 255 * (1 - a);
    data[p + 3] = 255;
  }
  return { ...img, data };
}

async function decode(bytes: Uint8Array, mime: string): Promise<Rgba> {
  if (mime === "image/png") {
    const { PNG } = (await import("pngjs")).default as unknown as PngModule;
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  const jpeg = (await import("jpeg-js")).default;
  return jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: MAX_PIXELS / 1e6,
    maxMemoryUsageInMB: 1024,
  });
}

async function encode(img: Rgba, mime: string): Promise<Uint8Array> {
  if (mime === "image/png") {
    const { PNG } = (await import("pngjs")).default as unknown as PngModule;
    return new Uint8Array(PNG.sync.write(img, { deflateLevel: 9 }));
  }
  const jpeg = (await import("jpeg-js")).default;
  return new Uint8Array(jpeg.encode(img, JPEG_QUALITY).data);
}

/**
 * `bytes` as they are when within `maxBytes`, else downscaled (each try shrinks the long edge by the square
 * root of how far the last one missed, at most `MAX_TRIES` tries) until the encoding fits. Never throws: a broken or unsupported image gives a reason.
 */
export async function fitImage(bytes: Uint8Array, mime: string, maxBytes: number): Promise<FitResult> {
  const size = imageSize(bytes, mime);
  if (bytes.length <= maxBytes) {
    return { bytes, mime, width: size?.width ?? 0, height: size?.height ?? 0, resized: false };
  }
  if (mime !== "image/jpeg" && mime !== "image/png") {
    return { reason: `larger than media.maxImageBytes (${maxBytes} bytes) and ${mime} cannot be resized` };
  }
  if (!size || !size.width || !size.height) return { reason: `not a readable ${mime} image` };
  if (size.width * size.height > MAX_PIXELS) {
    return {
      reason: `${size.width}×${size.height} is over ${MAX_PIXELS / 1e6} megapixels, too large to resize`,
    };
  }
  let src: Rgba;
  try {
    src = await decode(bytes, mime);
  } catch (err) {
    return { reason: `cannot decode it to resize: ${(err as Error).message}` };
  }
  const long = Math.max(src.width, src.height);
  // A JPEG's bytes grow with its area: start near the size that should fit (others at FIRST_EDGE).
  const guess = mime === "image/jpeg" ? Math.floor(long * Math.sqrt(maxBytes / bytes.length)) : long;
  let edge = Math.max(16, Math.min(FIRST_EDGE, long, guess));
  let outMime = mime;
  for (let i = 0; i < MAX_TRIES && edge >= 16; i++) {
    const k = edge / Math.max(src.width, src.height);
    const w = Math.max(1, Math.round(src.width * k)), h = Math.max(1, Math.round(src.height * k));
    let img = w === src.width && h === src.height ? src : downscale(src, w, h);
    if (outMime === "image/jpeg" && mime === "image/png") img = onWhite(img);
    const out = await encode(img, outMime);
    if (out.length <= maxBytes) return { bytes: out, mime: outMime, width: w, height: h, resized: true };
    // A PNG that does not fit as PNG is tried as JPEG at the same size before shrinking further.
    if (outMime === "image/png") outMime = "image/jpeg";
    else edge = Math.floor(edge * Math.min(0.85, Math.max(0.3, Math.sqrt(maxBytes / out.length) * 0.95)));
  }
  return { reason: `larger than media.maxImageBytes (${maxBytes} bytes) even when downscaled` };
}
