/**
 * The production wiring against real Baileys 7 code, without network: a real `makeWASocket` connects to
 * a local WebSocket server (`waWebSocketUrl`) that is not WhatsApp, and the adapter reports the
 * connection error cleanly (status, no crash, no leaked credentials in logs) and reconnects with backoff.
 */
import assert from "node:assert/strict";
import { configSchema } from "../../src/config/schema.ts";
import { whatsappAccountSchema } from "../../src/config/sections/channels.ts";
import { openStore } from "../../src/store/mod.ts";
import { createPairingRepo } from "../../src/store/pairing.ts";
import { createWhatsAppWebAdapterFor } from "../../src/channels/whatsapp/web_wiring.ts";
import { createLogger, type LogRecord } from "../../src/core/logger.ts";

Deno.test("whatsapp web: the real Baileys socket against a local WebSocket URL reports a connection error cleanly", async () => {
  let upgrades = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    upgrades++;
    socket.onopen = () => socket.close(1011, "not whatsapp");
    return response;
  });
  const home = await Deno.makeTempDir({ prefix: "talon-wa-real-" });
  const store = await openStore({ url: ":memory:" });
  const records: LogRecord[] = [];
  const logger = createLogger({ level: "debug", sinks: [{ write: (r) => records.push(r) }] });
  const dir = `${home}/credentials/whatsapp/default`;
  const adapter = createWhatsAppWebAdapterFor({
    accountId: "default",
    config: whatsappAccountSchema.parse({ waWebSocketUrl: `ws://127.0.0.1:${server.addr.port}/ws/chat` }),
    credentialsDir: dir,
    pairing: createPairingRepo(store.db),
    mediaDir: `${home}/media`,
    routeConfig: () => configSchema.parse({}),
    sink: { accept: () => Promise.resolve({ accepted: true }) },
    logger,
    backoff: { baseMs: 50, maxMs: 100 },
  });
  try {
    await adapter.start();
    assert.equal(adapter.link().state, "not-linked", "no credentials: nothing to connect");
    const info = await adapter.login({ waitMs: 100 });
    assert.equal(info.state, "linking");
    const deadline = Date.now() + 15_000;
    while (upgrades < 2 || !adapter.status().lastError) {
      if (Date.now() > deadline) throw new Error(`no reconnect seen (upgrades ${upgrades})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const status = adapter.status();
    assert.equal(status.running, true);
    assert.equal(status.connected, false);
    assert.match(status.lastError!, /Connection (Terminated|Closed)/i);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    for await (const f of Deno.readDir(dir)) {
      assert.equal((await Deno.stat(`${dir}/${f.name}`)).mode! & 0o777, 0o600, f.name);
    }
    const creds = await Deno.readTextFile(`${dir}/creds.json`);
    const noiseKey = JSON.parse(creds).noiseKey.private.data as string;
    assert.ok(!JSON.stringify(records).includes(noiseKey), "keys never reach the log");
  } finally {
    await adapter.stop();
    await server.shutdown();
    store.close();
    await Deno.remove(home, { recursive: true });
  }
});
