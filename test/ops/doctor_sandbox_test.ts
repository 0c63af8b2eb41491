// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { checkToolBound } from "../../src/ops/doctor_sandbox.ts";
import type { CheckContext } from "../../src/ops/doctor.ts";
import { withOuterBound } from "../../src/cli/gateway.ts";
import { startTestGateway } from "../helpers/gateway.ts";

const ctx = (raw: Record<string, unknown>) =>
  ({ loaded: { config: validateConfig(raw, { env: {}, file: "talon.json" }) } }) as unknown as CheckContext;

Deno.test("doctor shows the outer bound of tool calls, or how to set one", async () => {
  const [set] = await checkToolBound(ctx({ sandbox: { outerBound: { run: ["git"], read: ["/srv/ws"] } } }));
  assert.equal(set?.id, "tools.bound");
  assert.match(set!.what, /--allow-read=\/srv\/ws write: denied net: denied --allow-run=git env: denied/);
  const [none] = await checkToolBound(ctx({}));
  assert.match(none!.what, /No outer bound/);
  assert.match(none!.fix ?? "", /talon gateway --allow-run=git/);
});

Deno.test("config: sandbox.outerBound read/write paths must be absolute", () => {
  assert.throws(
    () =>
      validateConfig({ sandbox: { outerBound: { read: ["relative/dir"] } } }, {
        env: {},
        file: "talon.json",
      }),
    /sandbox\.outerBound\.read.*absolute path/,
  );
});

Deno.test("flags narrow the config's bound, and the gateway's status reports the effective bound", async () => {
  await using gw = await startTestGateway({ sandbox: { outerBound: { run: ["git", "ls"], net: true } } });
  const client = await gw.connect();
  try {
    const status = await client.request<any>("status", {});
    assert.deepEqual(status.sandbox.outerBound, { run: ["git", "ls"], net: true });
    assert.match(status.sandbox.described, /--allow-net .*--allow-run=git,ls/);
    assert.equal(status.sandbox.mode, "worker");
    assert.ok(["granted", "prompt", "denied"].includes(status.sandbox.process.run));
  } finally {
    await client.close();
  }
  const loaded = {
    config: validateConfig({ sandbox: { outerBound: { run: ["git", "ls"], net: true } } }, {
      env: {},
      file: "x",
    }),
    raw: { sandbox: { outerBound: { run: ["git", "ls"], net: true } } },
    paths: { configFile: "/x/talon.json" },
    fromFile: true,
  } as any;
  const narrowed = withOuterBound(loaded, { run: ["git", "curl"], net: ["api.example.com"] }, {});
  assert.deepEqual(narrowed.config.sandbox.outerBound, { run: ["git"], net: ["api.example.com"] });
  assert.deepEqual((narrowed.raw.sandbox as any).outerBound, { run: ["git"], net: ["api.example.com"] });
});
