import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { acceptsImages } from "../../src/config/sections/providers.ts";
import { ConfigError } from "../../src/core/errors.ts";

const withModels = (models: unknown) => validateConfig({ models }, { env: {}, file: "talon.json" });

Deno.test("models.<ref>.input marks a vision model (the issue's form)", () => {
  const { models } = withModels({
    "openai/gpt-4.1": { input: ["text", "image"] },
    "openai/o3": { input: ["text"] },
  });
  assert.equal(acceptsImages(models, "openai/gpt-4.1"), true);
  assert.equal(acceptsImages(models, "openai/o3"), false);
  assert.equal(acceptsImages(models, "openai/unlisted"), false);
  assert.equal(acceptsImages(models, undefined), false);
});

Deno.test("models.input[ref] still works as a deprecated alias; the per-model entry wins", () => {
  const old = withModels({ input: { "openai/gpt-4.1": ["text", "image"] } }).models;
  assert.equal(acceptsImages(old, "openai/gpt-4.1"), true);
  const both = withModels({
    input: { "openai/gpt-4.1": ["text", "image"] },
    "openai/gpt-4.1": { input: ["text"] },
  }).models;
  assert.equal(acceptsImages(both, "openai/gpt-4.1"), false);
});

Deno.test("models.<key> that is not a model ref, or an unknown input kind, is refused with its path", () => {
  for (
    const [models, want] of [
      [{ gpt4: { input: ["text", "image"] } }, /models\.gpt4/],
      [{ "openai/gpt-4.1": { input: ["video"] } }, /models\.openai\/gpt-4\.1\.input/],
      [{ "openai/gpt-4.1": { input: ["text"], vision: true } }, /vision/],
    ] as const
  ) {
    assert.throws(() => withModels(models), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, want);
      return true;
    });
  }
});
