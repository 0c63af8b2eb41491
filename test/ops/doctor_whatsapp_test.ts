import assert from "node:assert/strict";
import { type DoctorResult, runDoctor } from "../../src/ops/doctor.ts";
import { startFakeCloud } from "../fakes/fake_whatsapp_cloud.ts";
import { tempHome } from "../helpers/temp.ts";

const byId = (rs: DoctorResult[], id: string) => rs.find((r) => r.id === id);

async function doctor(home: string, over: { fix?: boolean; online?: boolean } = {}) {
  return await runDoctor({
    env: { TALON_HOME: home },
    fix: over.fix ?? false,
    online: over.online ?? false,
    runner: () => Promise.resolve({ code: 0, stdout: "", stderr: "" }),
    fetch,
    now: () => Date.now(),
    unitFiles: [],
    browserCandidates: [],
  });
}

Deno.test("doctor whatsapp web: not linked → warn; linked → ok with the number; loose modes fixed", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(
    `${home.dir}/talon.json`,
    JSON.stringify({ channels: { whatsapp: { accounts: { phone: { mode: "web" } } } } }),
    { mode: 0o600 },
  );
  let r = byId(await doctor(home.dir), "channel:whatsapp:phone");
  assert.equal(r?.status, "warn");
  assert.match(r!.fix!, /talon channels login whatsapp --account phone/);
  const dir = `${home.dir}/credentials/whatsapp/phone`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(
    `${dir}/creds.json`,
    JSON.stringify({ me: { id: "15550009999:3@s.whatsapp.net" } }),
    {
      mode: 0o644,
    },
  );
  const rs = await doctor(home.dir);
  assert.equal(byId(rs, "channel:whatsapp:phone")?.what, "whatsapp account phone is linked as +15550009999");
  assert.equal(byId(rs, "perm:whatsapp:phone")?.status, "warn");
  const fixed = byId(await doctor(home.dir, { fix: true }), "perm:whatsapp:phone");
  assert.equal(fixed?.fixed, true);
  assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(`${dir}/creds.json`)).mode! & 0o777, 0o600);
  assert.equal(byId(await doctor(home.dir), "perm:whatsapp:phone")?.status, "ok");
  await Deno.writeTextFile(`${dir}/creds.json`, "{not json");
  r = byId(await doctor(home.dir), "channel:whatsapp:phone");
  assert.equal(r?.status, "fail");
  assert.match(r!.what, /cannot read/);
});

Deno.test("doctor whatsapp cloud: a loopback webhook warns; --online checks the token against Graph", async () => {
  await using home = await tempHome();
  const fake = startFakeCloud();
  try {
    const account = (token: string) => ({
      mode: "cloud",
      phoneNumberId: fake.phoneNumberId,
      accessToken: token,
      appSecret: "secret",
      verifyToken: "verify-token-0123456789",
      graphApiRoot: fake.root,
    });
    const write = (token: string) =>
      Deno.writeTextFile(
        `${home.dir}/talon.json`,
        JSON.stringify({ channels: { whatsapp: { accounts: { biz: account(token) } } } }),
        { mode: 0o600 },
      );
    await write(fake.token);
    let rs = await doctor(home.dir, { online: true });
    assert.equal(byId(rs, "webhook:whatsapp:biz")?.status, "warn");
    assert.match(byId(rs, "webhook:whatsapp:biz")!.fix!, /https:\/\/<your-host>\/whatsapp\/biz/);
    assert.equal(byId(rs, "channel:whatsapp:biz")?.status, "ok");
    assert.match(byId(rs, "channel:whatsapp:biz")!.what, /\+1 555-000-9999/);
    await write("wrong-token");
    rs = await doctor(home.dir, { online: true });
    assert.equal(byId(rs, "channel:whatsapp:biz")?.status, "fail");
    assert.match(byId(rs, "channel:whatsapp:biz")!.what, /Invalid OAuth access token/);
    assert.equal(byId(await doctor(home.dir), "channel:whatsapp:biz"), undefined, "offline: no API call");
  } finally {
    await fake.close();
  }
});
