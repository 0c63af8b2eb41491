/**
 * WhatsApp Cloud API through the real gateway process: a fake Graph API and a webhook sender on
 * 127.0.0.1, a fake model provider. Duplicate deliveries, a 429 on the reply, a SIGKILL mid-run and a
 * group member's /approve must each leave the user with exactly the one right answer.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import {
  cloudDelivery,
  cloudText,
  type FakeCloud,
  postWebhook,
  startFakeCloud,
} from "../fakes/fake_whatsapp_cloud.ts";
import { spawnTalon, type TalonProcess } from "../helpers/process.ts";
import { tempHome } from "../helpers/temp.ts";

const APP_SECRET = "e2e-app-secret";
const OWNER = "15550001111";
const MEMBER = "15550002222";

function config(providerUrl: string, fake: FakeCloud): Record<string, unknown> {
  return {
    gateway: { port: 0 },
    logging: { console: false },
    session: { dmScope: "per-peer" },
    providers: { fake: { api: "openai-chat", baseUrl: providerUrl, apiKey: "test-key" } },
    agents: { defaults: { model: { primary: "fake/gpt-test" } }, shards: 1 },
    channels: {
      whatsapp: {
        accounts: {
          biz: {
            mode: "cloud",
            phoneNumberId: fake.phoneNumberId,
            accessToken: fake.token,
            appSecret: APP_SECRET,
            verifyToken: "e2e-verify-token-0123",
            graphApiRoot: fake.root,
            dmPolicy: "allowlist",
            allowFrom: ["+1 555 000 1111"],
            owners: ["+1 555 000 1111"],
            // The member may talk (and use commands) in the group, but is not an owner.
            groups: { "GRP-1": { requireMention: false, allowFrom: ["+1 555 000 2222"] } },
          },
        },
      },
    },
  };
}

async function webhookUrl(proc: TalonProcess): Promise<string> {
  const [, url] = await proc.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return `${url}/whatsapp/biz`;
}

async function post(url: string, fake: FakeCloud, messages: Record<string, unknown>[]): Promise<number> {
  const res = await postWebhook(url, cloudDelivery(fake.phoneNumberId, messages), APP_SECRET);
  await res.body?.cancel();
  return res.status;
}

const textsTo = (fake: FakeCloud, to: string) =>
  fake.sent().filter((m) => m.to === to).map((m) => m.text?.body);

Deno.test("whatsapp cloud e2e: duplicate delivery and a 429 on the reply → exactly one reply", async () => {
  await using home = await tempHome();
  const fake = startFakeCloud();
  const provider = createFakeOpenAI({ fallback: { text: "Hello from Talon" } });
  try {
    await Deno.writeTextFile(`${home.dir}/talon.json`, JSON.stringify(config(provider.url, fake)));
    await using proc = spawnTalon(["gateway"], { TALON_HOME: home.dir });
    const url = await webhookUrl(proc);
    const verify = await fetch(
      `${url}?hub.mode=subscribe&hub.verify_token=e2e-verify-token-0123&hub.challenge=42`,
    );
    assert.equal(await verify.text(), "42", "the verify handshake passes the gateway's URL guard");
    fake.failNext(1, 429);
    const msg = cloudText(OWNER, "wamid.DUP1", "hi");
    assert.equal(await post(url, fake, [msg]), 200);
    assert.equal(await post(url, fake, [msg]), 200, "a redelivery is acknowledged");
    await fake.waitFor(() => textsTo(fake, OWNER).length >= 1, "the reply", 30_000).catch((e) => {
      console.log(proc.output());
      throw e;
    });
    assert.equal(await post(url, fake, [msg]), 200, "a late redelivery changes nothing");
    // Give a second reply, if there were one, the time to show up.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(textsTo(fake, OWNER), ["Hello from Talon"]);
    assert.equal(provider.requests.length, 1, "the model ran once");
  } finally {
    await fake.close();
    await provider.close();
  }
});

Deno.test("whatsapp cloud e2e: SIGKILL mid-run and restart → one reply", async () => {
  await using home = await tempHome();
  const fake = startFakeCloud();
  const provider = createFakeOpenAI({ fallback: { text: "Survived the crash", delayMs: 1500 } });
  try {
    await Deno.writeTextFile(`${home.dir}/talon.json`, JSON.stringify(config(provider.url, fake)));
    const env = { TALON_HOME: home.dir };
    const msg = cloudText(OWNER, "wamid.KILL1", "long question");
    {
      await using first = spawnTalon(["gateway"], env);
      const url = await webhookUrl(first);
      assert.equal(await post(url, fake, [msg]), 200, "stored in the inbox before the 200");
      await fake.waitFor(() => provider.requests.length >= 1, "the model call", 20_000);
      first.child.kill("SIGKILL");
      await first.child.status;
    }
    assert.equal(fake.sent().length, 0, "killed before replying");
    {
      await using second = spawnTalon(["gateway"], env);
      const url = await webhookUrl(second);
      // Meta may deliver the message again after the outage: it must not start a second run.
      assert.equal(await post(url, fake, [msg]), 200);
      await fake.waitFor(() => textsTo(fake, OWNER).length >= 1, "the reply after restart", 30_000).catch(
        (e) => {
          console.log(second.output());
          throw e;
        },
      );
      await new Promise((r) => setTimeout(r, 1000));
      second.child.kill("SIGTERM");
      await second.child.status;
    }
    assert.deepEqual(textsTo(fake, OWNER), ["Survived the crash"]);
  } finally {
    await fake.close();
    await provider.close();
  }
});

Deno.test("whatsapp cloud e2e: a group member's /approve is refused; the owner's is heard", async () => {
  await using home = await tempHome();
  const fake = startFakeCloud();
  const provider = createFakeOpenAI({ fallback: { text: "model answer" } });
  try {
    await Deno.writeTextFile(`${home.dir}/talon.json`, JSON.stringify(config(provider.url, fake)));
    await using proc = spawnTalon(["gateway"], { TALON_HOME: home.dir });
    const url = await webhookUrl(proc);
    assert.equal(
      await post(url, fake, [
        cloudText(MEMBER, "wamid.AP1", "/approve ap_123 allow-once", { group_id: "GRP-1" }),
      ]),
      200,
    );
    await fake.waitFor(() => textsTo(fake, "GRP-1").length >= 1, "the group reply", 30_000).catch((e) => {
      console.log(proc.output());
      throw e;
    });
    assert.match(textsTo(fake, "GRP-1")[0]!, /Only the owner can approve/);
    assert.equal(await post(url, fake, [cloudText(OWNER, "wamid.AP2", "/approve ap_123 allow-once")]), 200);
    await fake.waitFor(() => textsTo(fake, OWNER).length >= 1, "the owner reply", 30_000);
    assert.match(textsTo(fake, OWNER)[0]!, /No pending approval ap_123/);
    assert.equal(provider.requests.length, 0, "commands never reach the model");
  } finally {
    await fake.close();
    await provider.close();
  }
});
