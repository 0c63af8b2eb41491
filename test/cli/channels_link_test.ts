import assert from "node:assert/strict";
import { followLink } from "../../src/cli/channels_link.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { cli } from "../helpers/cli.ts";
import { freePort } from "../helpers/ports.ts";
import { tempHome } from "../helpers/temp.ts";

function captureIo(): CliIo & { text(): string } {
  let text = "";
  return {
    out: (t) => void (text += t + "\n"),
    err: (t) => void (text += t + "\n"),
    env: {},
    interactive: false,
    text: () => text,
  };
}

Deno.test("channels login: prints each new QR once and the pairing code, exits 0 when linked", async () => {
  const io = captureIo();
  const states = [
    { state: "linking" as const, qr: "2@first" },
    { state: "linking" as const, qr: "2@first", pairingCode: "ABCD1234" },
    { state: "linking" as const, qr: "2@second", pairingCode: "ABCD1234" },
    { state: "linked" as const, number: "+15550009999" },
  ];
  const waits: number[] = [];
  const code = await followLink(
    io,
    60_000,
    (waitMs) => (waits.push(waitMs), Promise.resolve(states.shift()!)),
  );
  assert.equal(code, 0);
  const text = io.text();
  assert.equal(text.match(/Scan with WhatsApp/g)?.length, 2, "one QR per new code");
  assert.equal(text.match(/ABCD1234/g)?.length, 1);
  assert.match(text, /[▀▄█]/, "the QR is drawn with block characters");
  assert.match(text, /Linked as \+15550009999/);
  assert.ok(waits.every((w) => w > 0 && w <= 20_000));
});

Deno.test("channels login: an expired QR or a logout ends with exit 1 and says why", async () => {
  for (
    const end of [{ state: "not-linked" as const, lastError: "The QR code expired" }, {
      state: "logged-out" as const,
    }]
  ) {
    const io = captureIo();
    const states = [{ state: "linking" as const, qr: "2@x" }, end];
    assert.equal(await followLink(io, 60_000, () => Promise.resolve(states.shift()!)), 1);
    assert.match(io.text(), /linking stopped/);
  }
});

async function webConfig(home: string, account: Record<string, unknown> = {}) {
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({
      gateway: { port: freePort() },
      channels: { whatsapp: { accounts: { phone: { mode: "web", ...account } } } },
    }),
  );
}

Deno.test("channels logout without a gateway removes the local credentials", async () => {
  await using home = await tempHome();
  await webConfig(home.dir);
  const dir = `${home.dir}/credentials/whatsapp/phone`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/creds.json`, "{}");
  const res = await cli(["channels", "logout", "whatsapp"], { TALON_HOME: home.dir, HOME: home.dir });
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /Removed the credentials of WhatsApp account "phone"/);
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  const again = await cli(["channels", "logout", "whatsapp"], { TALON_HOME: home.dir, HOME: home.dir });
  assert.match(again.out, /has no credentials/);
});

Deno.test("channels login: bad channel, unknown account, cloud account and bad phone are refused", async () => {
  await using home = await tempHome();
  await webConfig(home.dir);
  const env = { TALON_HOME: home.dir, HOME: home.dir };
  assert.equal((await cli(["channels", "login", "telegram"], env)).code, 2);
  const unknown = await cli(["channels", "login", "whatsapp", "--account", "nope"], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no WhatsApp account "nope"/);
  const badPhone = await cli(
    ["channels", "login", "whatsapp", "--phone", "call me", "--timeout-sec", "2"],
    env,
  );
  assert.equal(badPhone.code, 1);
  assert.match(badPhone.err, /Invalid phone number/);
  await Deno.writeTextFile(
    `${home.dir}/talon.json`,
    JSON.stringify({
      gateway: { port: freePort() },
      channels: {
        whatsapp: {
          accounts: {
            biz: {
              mode: "cloud",
              phoneNumberId: "1",
              accessToken: "t",
              appSecret: "s",
              verifyToken: "0123456789abcdef",
            },
          },
        },
      },
    }),
  );
  const cloud = await cli(["channels", "login", "whatsapp"], env);
  assert.equal(cloud.code, 1);
  assert.match(cloud.err, /Cloud API/);
});

Deno.test("channels login without a gateway runs real Baileys locally and reports a failed connection", async () => {
  await using home = await tempHome();
  let upgrades = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    upgrades++;
    socket.onopen = () => socket.close(1011, "not whatsapp");
    return response;
  });
  try {
    await webConfig(home.dir, { waWebSocketUrl: `ws://127.0.0.1:${server.addr.port}/ws/chat` });
    const res = await cli(["channels", "login", "whatsapp", "--timeout-sec", "2"], {
      TALON_HOME: home.dir,
      HOME: home.dir,
    });
    assert.equal(res.code, 1);
    assert.match(res.out, /No gateway running: linking WhatsApp account "phone"/);
    assert.match(res.err, /did not finish in time/);
    assert.ok(upgrades >= 1, "a real socket connected to the local URL");
    const dir = `${home.dir}/credentials/whatsapp/phone`;
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  } finally {
    await server.shutdown();
  }
});
