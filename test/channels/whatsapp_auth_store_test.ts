/** The credential store with Baileys' real codec (BufferJSON, initAuthCreds, proto). */
import assert from "node:assert/strict";
import { BufferJSON, initAuthCreds, proto } from "@whiskeysockets/baileys";
import {
  type AuthCodec,
  openAuthStore,
  readLinkedJid,
  removeCredentials,
} from "../../src/channels/whatsapp/auth_store.ts";

const codec: AuthCodec = {
  initAuthCreds: () => initAuthCreds() as unknown as Record<string, unknown>,
  replacer: BufferJSON.replacer,
  reviver: BufferJSON.reviver,
  appStateSyncKey: (v) => proto.Message.AppStateSyncKeyData.fromObject(v as Record<string, unknown>),
};

Deno.test("whatsapp auth store: 0700 dir, 0600 files, keys round-trip, odd ids stay inside, logout removes", async () => {
  const home = await Deno.makeTempDir({ prefix: "talon-wa-auth-" });
  const dir = `${home}/credentials/whatsapp/default`;
  try {
    const first = await openAuthStore(dir, codec);
    const noise = (first.state.creds.noiseKey as { private: Uint8Array }).private;
    assert.equal(await readLinkedJid(dir), undefined, "fresh credentials are not linked");
    first.state.creds.me = { id: "15550009999:7@s.whatsapp.net" };
    await first.saveCreds();
    await first.state.keys.set({
      "pre-key": { "1": { public: new Uint8Array([1, 2]), private: new Uint8Array([3]) } },
      "session": { "../../escape": { x: 1 }, "a/b:c": { y: 2 } },
      "app-state-sync-key": { "AAA=": { keyData: new Uint8Array([9]) } },
    });
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    const names = [];
    for await (const f of Deno.readDir(dir)) {
      names.push(f.name);
      assert.equal((await Deno.stat(`${dir}/${f.name}`)).mode! & 0o777, 0o600, f.name);
    }
    assert.ok(names.every((n) => !n.endsWith(".tmp")), "no temp files left");
    for await (const f of Deno.readDir(`${home}/credentials/whatsapp`)) assert.equal(f.name, "default");

    const again = await openAuthStore(dir, codec);
    assert.deepEqual((again.state.creds.noiseKey as { private: Uint8Array }).private, noise);
    assert.equal(await readLinkedJid(dir), "15550009999:7@s.whatsapp.net");
    const keys = await again.state.keys.get("pre-key", ["1", "2"]);
    assert.deepEqual(keys["1"], { public: Buffer.from([1, 2]), private: Buffer.from([3]) });
    assert.equal(keys["2"], undefined);
    assert.deepEqual(await again.state.keys.get("session", ["../../escape"]), { "../../escape": { x: 1 } });
    const sync = await again.state.keys.get("app-state-sync-key", ["AAA="]);
    assert.ok(sync["AAA="] instanceof proto.Message.AppStateSyncKeyData);
    await again.state.keys.set({ "pre-key": { "1": null } });
    assert.deepEqual(await again.state.keys.get("pre-key", ["1"]), { "1": undefined });

    assert.equal(await removeCredentials(dir), true);
    assert.equal(await removeCredentials(dir), false);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
