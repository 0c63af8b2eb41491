import assert from "node:assert/strict";
import { toCallResult } from "../../src/mcp/results.ts";

Deno.test("MCP result images: saved with their real size; malformed base64 and wrong types are not kept", async () => {
  const mediaDir = await Deno.makeTempDir();
  try {
    const r = await toCallResult({
      content: [
        { type: "image", data: btoa("\x89PNG\r\n\x1a\n1"), mimeType: "image/png" },
        { type: "image", data: "not*base64!", mimeType: "image/png" },
        { type: "image", data: btoa("x"), mimeType: "image/svg+xml" },
      ],
    }, { maxBytes: 10_000, mediaDir, name: "mcp__fx__image" });
    assert.equal(r.images.length, 1);
    assert.equal(r.images[0]!.bytes, 9);
    assert.equal((await Deno.readFile(r.images[0]!.path)).length, 9);
    assert.match(r.content, /\[image image\/png, 9 bytes, saved to .*\.png\]/);
    assert.match(r.content, /\[image image\/png: not valid base64, not kept\]/);
    assert.match(r.content, /\[image image\/svg\+xml, \d+ bytes: not kept\]/);
  } finally {
    await Deno.remove(mediaDir, { recursive: true });
  }
});
