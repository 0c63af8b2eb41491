import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { downscale, fitImage, imageSize } from "../../src/agent/image_fit.ts";
import { loadImage } from "../../src/agent/image_input.ts";

// deno-lint-ignore no-explicit-any
const { PNG } = pngjs as any;

/** RGBA noise (incompressible) or a smooth gradient, of known size. */
function pixels(width: number, height: number, kind: "noise" | "gradient", alpha = 255) {
  const data = new Uint8Array(width * height * 4);
  let seed = 7;
  for (let i = 0; i < width * height; i++) {
    const x = i % width, y = Math.floor(i / width);
    for (let c = 0; c < 3; c++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      data[i * 4 + c] = kind === "noise" ? seed >> 23 : (x * 255 / width + y * 255 / height + c * 40) % 256;
    }
    data[i * 4 + 3] = alpha;
  }
  return { width, height, data };
}
const png = (img: ReturnType<typeof pixels>) => new Uint8Array(PNG.sync.write(img));
const jpg = (img: ReturnType<typeof pixels>, q = 95) => new Uint8Array(jpeg.encode(img, q).data);

Deno.test("imageSize reads PNG and JPEG headers without decoding", () => {
  assert.deepEqual(imageSize(png(pixels(37, 21, "gradient")), "image/png"), { width: 37, height: 21 });
  assert.deepEqual(imageSize(jpg(pixels(40, 30, "gradient")), "image/jpeg"), { width: 40, height: 30 });
  assert.equal(imageSize(new Uint8Array(100), "image/png"), undefined);
  assert.equal(imageSize(new Uint8Array(100), "image/jpeg"), undefined);
});

Deno.test("downscale averages the source area under each pixel", () => {
  const src = { width: 4, height: 2, data: new Uint8Array(32) };
  for (let i = 0; i < 8; i++) src.data.set(i % 4 < 2 ? [0, 100, 200, 255] : [100, 200, 0, 255], i * 4);
  const out = downscale(src, 2, 1);
  assert.deepEqual([...out.data], [0, 100, 200, 255, 100, 200, 0, 255]);
  assert.deepEqual([...downscale(src, 1, 1).data], [50, 150, 100, 255]);
});

Deno.test("an oversized JPEG is downscaled and re-encoded until it fits, keeping its aspect ratio", async () => {
  const big = jpg(pixels(1000, 750, "noise"));
  const max = 60_000;
  assert.ok(big.length > max * 4, `fixture is ${big.length} bytes`);
  const fit = await fitImage(big, "image/jpeg", max);
  assert.ok("bytes" in fit, JSON.stringify(fit));
  assert.ok(fit.resized && fit.bytes.length <= max, `${fit.bytes.length} > ${max}`);
  assert.equal(fit.mime, "image/jpeg");
  const back = jpeg.decode(fit.bytes, { useTArray: true });
  assert.deepEqual([back.width, back.height], [fit.width, fit.height]);
  assert.ok(
    fit.width < 1000 && Math.abs(fit.width / fit.height - 4 / 3) < 0.01,
    `${fit.width}×${fit.height}`,
  );
});

Deno.test("a PNG stays PNG when downscaling to 2048 px fits; else it becomes a JPEG on white", async () => {
  const wide = png(pixels(3000, 600, "gradient"));
  const asPng = await fitImage(wide, "image/png", wide.length - 1);
  assert.ok("bytes" in asPng, JSON.stringify(asPng));
  assert.deepEqual([asPng.mime, asPng.width, asPng.height], ["image/png", 2048, 410]);
  const back = PNG.sync.read(Buffer.from(asPng.bytes));
  assert.deepEqual([back.width, back.height], [2048, 410]);

  const noisy = png(pixels(600, 500, "noise", 0)); // fully transparent noise
  const asJpeg = await fitImage(noisy, "image/png", 40_000);
  assert.ok("bytes" in asJpeg, JSON.stringify(asJpeg));
  assert.equal(asJpeg.mime, "image/jpeg");
  assert.ok(asJpeg.bytes.length <= 40_000);
  const px = jpeg.decode(asJpeg.bytes, { useTArray: true }).data;
  assert.ok(px[0]! > 240 && px[1]! > 240 && px[2]! > 240, "transparent pixels become white");
});

Deno.test("images that cannot be resized say why: broken, too many pixels, other types", async () => {
  const truncated = jpg(pixels(800, 600, "noise")).slice(0, 5000);
  const broken = await fitImage(truncated, "image/jpeg", 1000);
  assert.ok("reason" in broken && /cannot decode it to resize/.test(broken.reason), JSON.stringify(broken));
  // A header claiming 20000×20000 is refused before any pixel is allocated.
  const huge = png(pixels(2, 2, "noise"));
  new DataView(huge.buffer).setUint32(16, 20000);
  new DataView(huge.buffer).setUint32(20, 20000);
  const tooMany = await fitImage(huge, "image/png", 10);
  assert.ok("reason" in tooMany && /over 40 megapixels/.test(tooMany.reason));
  const webp = await fitImage(new Uint8Array(5000), "image/webp", 1000);
  assert.ok("reason" in webp && /image\/webp cannot be resized/.test(webp.reason));
  const small = jpg(pixels(10, 10, "gradient"));
  const same = await fitImage(small, "image/jpeg", 1_000_000);
  assert.ok("bytes" in same && same.bytes === small && !same.resized, "within the cap: untouched");
});

Deno.test("loadImage resizes an oversized file instead of leaving it out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/p.jpg`, jpg(pixels(600, 400, "noise")));
    const r = await loadImage({ path: `${dir}/p.jpg` }, 30_000);
    assert.ok("image" in r, JSON.stringify(r));
    assert.equal(r.image.mime, "image/jpeg");
    assert.ok(atob(r.image.data).length <= 30_000);
    assert.ok(
      r.resized && r.resized.width < 600 && Math.abs(r.resized.width / r.resized.height - 1.5) < 0.01,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
