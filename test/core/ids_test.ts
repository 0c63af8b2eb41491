import assert from "node:assert/strict";
import { fnv1a32, newId, sha256Hex } from "../../src/core/ids.ts";

Deno.test("sha256Hex matches the SHA-256 test vectors, for strings and bytes alike", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(await sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(await sha256Hex(new TextEncoder().encode("abc")), await sha256Hex("abc"));
  // Non-ASCII text is hashed as UTF-8, as crypto.subtle.digest of TextEncoder output was.
  const utf8 = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("tälön ✓")));
  assert.equal(await sha256Hex("tälön ✓"), Array.from(utf8, (b) => b.toString(16).padStart(2, "0")).join(""));
});

Deno.test("newId is random and prefixed; fnv1a32 is stable", () => {
  const a = newId("run_");
  assert.match(a, /^run_[A-Za-z0-9_-]+$/);
  assert.notEqual(a, newId("run_"));
  assert.equal(fnv1a32("agent:main:main"), fnv1a32("agent:main:main"));
});
