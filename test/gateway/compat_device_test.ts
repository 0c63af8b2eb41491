// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import type { Clock } from "../../src/core/clock.ts";
import { createDeviceRepo, createDeviceVerifier, DeviceAuthError } from "../../src/gateway/device.ts";
import type { ConnectParams } from "../../src/gateway/protocol/frames.ts";
import { openStore } from "../../src/store/mod.ts";
import { deviceBlock, newTestDevice, type SignInput, type TestDevice } from "../compat/device_keys.ts";
import { connectFrame, rawSocket, startTestGateway } from "../helpers/gateway.ts";

const NOW = 1_800_000_000_000;
const clockAt = (now: number): Clock => ({
  now: () => now,
  setTimeout: () => 0,
  clearTimeout: () => {},
  setInterval: () => 0,
  clearInterval: () => {},
});

const TOKEN = "the-gateway-token-the-gateway-token";
const NONCE = "challenge-nonce-1";

function baseInput(over: Partial<SignInput> = {}): SignInput {
  return {
    clientId: "cli",
    clientMode: "cli",
    role: "operator",
    scopes: ["operator.read", "operator.write"],
    signedAt: NOW,
    token: TOKEN,
    nonce: NONCE,
    platform: "linux",
    deviceFamily: "",
    ...over,
  };
}

function paramsFor(device: Record<string, unknown>, over: Partial<ConnectParams> = {}): ConnectParams {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", mode: "cli", version: "2026.9.6", platform: "linux", deviceFamily: "" },
    role: "operator",
    scopes: ["operator.read", "operator.write"],
    auth: { token: TOKEN },
    device: device as ConnectParams["device"],
    ...over,
  };
}

async function setup() {
  const store = await openStore({ url: ":memory:" });
  const devices = createDeviceRepo(store.db, () => NOW);
  const verify = createDeviceVerifier({ clock: clockAt(NOW), devices });
  const device = await newTestDevice();
  return { store, devices, verify, device, [Symbol.dispose]: () => store.close() };
}

async function refusal(p: Promise<void>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DeviceAuthError, `expected DeviceAuthError, got ${err}`);
    assert.equal(err.code, "UNAUTHORIZED");
    return String(err.details?.code);
  }
  assert.fail("the device block was accepted");
}

Deno.test("a correctly signed v3 device block is accepted and recorded with its credential", async () => {
  using s = await setup();
  const block = await deviceBlock(s.device, baseInput());
  await s.verify(paramsFor(block), NONCE, TOKEN, { credentialId: "cred_1" });
  const rec = await s.devices.get(s.device.id);
  assert.equal(rec?.publicKey, s.device.publicKey);
  assert.equal(rec?.credentialId, "cred_1");
  assert.equal(rec?.clientId, "cli");
  assert.equal(rec?.platform, "linux");
  assert.equal(s.device.id.length, 64);
  await s.verify(paramsFor(block), NONCE, TOKEN, { credentialId: "cred_2" });
  const all = await s.devices.list();
  assert.equal(all.length, 1);
  assert.equal(all[0]!.credentialId, "cred_2");
});

Deno.test("platform and deviceFamily are signed trimmed and lower-cased; v2 signatures are accepted", async () => {
  using s = await setup();
  const v3 = await deviceBlock(s.device, baseInput({ platform: "linux", deviceFamily: "desktop" }));
  const params = paramsFor(v3, {
    client: { id: "cli", mode: "cli", platform: "  Linux ", deviceFamily: "DESKTOP" },
  });
  await s.verify(params, NONCE, TOKEN);
  const v2 = await deviceBlock(s.device, baseInput({ version: "v2" }));
  await s.verify(paramsFor(v2), NONCE, TOKEN);
});

Deno.test("a device id that is not the SHA-256 of the key is refused", async () => {
  using s = await setup();
  const other = await newTestDevice();
  const block = { ...(await deviceBlock(s.device, baseInput())), id: other.id };
  assert.equal(await refusal(s.verify(paramsFor(block), NONCE, TOKEN)), "DEVICE_AUTH_DEVICE_ID_MISMATCH");
  assert.equal((await s.devices.list()).length, 0);
});

Deno.test("a nonce other than this connection's challenge is refused", async () => {
  using s = await setup();
  const block = await deviceBlock(s.device, baseInput({ nonce: "another-connection" }));
  assert.equal(await refusal(s.verify(paramsFor(block), NONCE, TOKEN)), "DEVICE_AUTH_NONCE_MISMATCH");
});

Deno.test("signedAt must be within ±120 s of the gateway clock", async () => {
  using s = await setup();
  for (const skew of [-119_000, 119_000]) {
    await s.verify(paramsFor(await deviceBlock(s.device, baseInput({ signedAt: NOW + skew }))), NONCE, TOKEN);
  }
  for (const skew of [-121_000, 121_000]) {
    const block = await deviceBlock(s.device, baseInput({ signedAt: NOW + skew }));
    assert.equal(await refusal(s.verify(paramsFor(block), NONCE, TOKEN)), "DEVICE_AUTH_SIGNATURE_EXPIRED");
  }
});

Deno.test("a signature that does not cover this request is refused", async (t) => {
  using s = await setup();
  const stranger: TestDevice = await newTestDevice();
  const cases: [
    string,
    () => Promise<{ block: Record<string, unknown>; params?: Partial<ConnectParams> }>,
  ][] = [
    [
      "signed by another key",
      async () => ({ block: await deviceBlock(s.device, baseInput(), stranger.privateKey) }),
    ],
    [
      "other scopes signed",
      async () => ({ block: await deviceBlock(s.device, baseInput({ scopes: ["operator.admin"] })) }),
    ],
    ["scopes changed after signing", async () => ({
      block: await deviceBlock(s.device, baseInput()),
      params: { scopes: ["operator.admin"] },
    })],
    [
      "other token signed",
      async () => ({ block: await deviceBlock(s.device, baseInput({ token: "other" })) }),
    ],
    [
      "other client id signed",
      async () => ({ block: await deviceBlock(s.device, baseInput({ clientId: "ui" })) }),
    ],
    ["other role signed", async () => ({ block: await deviceBlock(s.device, baseInput({ role: "node" })) })],
    ["signedAt changed after signing", async () => {
      const block = await deviceBlock(s.device, baseInput());
      return { block: { ...block, signedAt: NOW + 1 } };
    }],
    [
      "garbage text signed",
      async () => ({ block: await deviceBlock(s.device, baseInput({ text: "v3|x" })) }),
    ],
  ];
  for (const [name, make] of cases) {
    await t.step(name, async () => {
      const { block, params } = await make();
      assert.equal(
        await refusal(s.verify(paramsFor(block, params), NONCE, TOKEN)),
        "DEVICE_AUTH_SIGNATURE_INVALID",
      );
    });
  }
  assert.equal((await s.devices.list()).length, 0);
});

Deno.test("malformed keys and signatures are refused with clear codes", async () => {
  using s = await setup();
  const good = await deviceBlock(s.device, baseInput());
  const bad: [Record<string, unknown>, string][] = [
    [{ ...good, publicKey: "not base64url!" }, "DEVICE_AUTH_PUBLIC_KEY_INVALID"],
    [{ ...good, publicKey: good.publicKey.slice(0, 20) }, "DEVICE_AUTH_PUBLIC_KEY_INVALID"],
    [{ ...good, signature: "AAAA" }, "DEVICE_AUTH_SIGNATURE_INVALID"],
    [{ ...good, signature: "@@@" }, "DEVICE_AUTH_SIGNATURE_INVALID"],
  ];
  for (const [block, code] of bad) {
    assert.equal(await refusal(s.verify(paramsFor(block), NONCE, TOKEN)), code);
  }
});

/** Connects over a raw socket, signing the device block with the challenge's nonce. */
async function connectWithDevice(
  wsUrl: string,
  token: string,
  device: TestDevice,
  tweak: (input: SignInput) => SignInput = (i) => i,
) {
  const s = await rawSocket(wsUrl);
  const challenge = await s.next();
  const nonce = (challenge.payload as { nonce: string }).nonce;
  const scopes = ["operator.read"];
  const block = await deviceBlock(
    device,
    tweak({ ...baseInput(), scopes, token, nonce, signedAt: Date.now(), deviceFamily: undefined }),
  );
  s.send(connectFrame(token, {
    client: { id: "cli", mode: "cli", platform: "linux", version: "2026.9.6" },
    role: "operator",
    scopes,
    device: block,
  }));
  return { s, res: await s.next() };
}

Deno.test("gateway: a right token with a valid device connects and the device is recorded", async () => {
  await using gw = await startTestGateway();
  const device = await newTestDevice();
  const { s, res } = await connectWithDevice(gw.wsUrl, gw.token.token, device);
  assert.equal(res.ok, true, JSON.stringify(res.error));
  assert.equal((res.payload as any).type, "hello-ok");
  const rec = await createDeviceRepo(gw.store.db).get(device.id);
  assert.equal(rec?.publicKey, device.publicKey);
  assert.ok(rec?.credentialId, "device linked to the credential used");
  s.ws.close();
  await s.closed;
});

Deno.test("gateway: a right token with a bad device block is refused with close 1008", async () => {
  await using gw = await startTestGateway();
  const device = await newTestDevice();
  const { s, res } = await connectWithDevice(
    gw.wsUrl,
    gw.token.token,
    device,
    (i) => ({ ...i, nonce: "stale" }),
  );
  assert.equal(res.ok, false);
  assert.equal((res.error as any).code, "UNAUTHORIZED");
  assert.equal((res.error as any).details.code, "DEVICE_AUTH_NONCE_MISMATCH");
  assert.match((res.error as any).message, /challenge/);
  assert.equal((await s.closed).code, 1008);
  assert.equal(await createDeviceRepo(gw.store.db).get(device.id), undefined);
});

Deno.test("gateway: the token is checked before the device; no device block is needed", async () => {
  await using gw = await startTestGateway();
  const device = await newTestDevice();
  const wrong = await connectWithDevice(gw.wsUrl, "wrong-token-wrong-token-wrong", device);
  assert.equal((wrong.res.error as any).details.code, "AUTH_TOKEN_MISMATCH");
  assert.equal((await wrong.s.closed).code, 1008);
  const plain = await gw.connect({ scopes: ["operator.read"], client: { id: "cli", mode: "cli" } });
  assert.equal((plain.hello as any).type, "hello-ok");
  await plain.close();
});
