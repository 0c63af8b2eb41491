import { configSchema } from "../../src/config/schema.ts";
import { whatsappAccountSchema } from "../../src/config/sections/channels.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createPairingRepo, type PairingRepo } from "../../src/store/pairing.ts";
import { createInboxRepo } from "../../src/store/inbox.ts";
import type { Route } from "../../src/routing/resolve_route.ts";
import { dedupeKey } from "../../src/channels/types.ts";
import {
  createWhatsAppWebAdapter,
  type WhatsAppWebAdapter,
} from "../../src/channels/whatsapp/web_adapter.ts";
import { createFakeWa, type FakeWa, ME } from "../fakes/fake_wa_socket.ts";

export interface WebHarness {
  fake: FakeWa;
  store: Store;
  pairing: PairingRepo;
  adapter: WhatsAppWebAdapter;
  /** Messages the durable inbox accepted (duplicates excluded). */
  received: Array<{ inbound: InboundMessage; route: Route }>;
  dir: string;
  waitReceived(n: number): Promise<void>;
  until(pred: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

/** Writes a `creds.json` that says the account is linked as ME. */
export async function linkedCreds(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(`${dir}/creds.json`, JSON.stringify({ me: { id: ME.id, lid: ME.lid } }), {
    mode: 0o600,
  });
}

/**
 * A fake socket connector, a :memory: store whose real inbox dedupes by message id, and a started web
 * adapter that echoes every newly accepted message.
 */
export async function webHarness(
  o: { account?: Record<string, unknown>; linked?: boolean; echo?: boolean } = {},
): Promise<WebHarness> {
  const fake = createFakeWa();
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const inbox = createInboxRepo(store.db);
  const dir = await Deno.makeTempDir({ prefix: "talon-wa-web-" });
  const credentialsDir = `${dir}/credentials/whatsapp/default`;
  if (o.linked !== false) await linkedCreds(credentialsDir);
  const routeConfig = configSchema.parse({ session: { dmScope: "per-channel-peer" } });
  const received: WebHarness["received"] = [];
  let n = 0;
  const adapter: WhatsAppWebAdapter = createWhatsAppWebAdapter({
    accountId: "default",
    config: whatsappAccountSchema.parse({ allowFrom: ["+15550001111"], ...o.account }),
    credentialsDir,
    connect: fake.connector,
    pairing,
    mediaDir: `${dir}/media`,
    routeConfig: () => routeConfig,
    backoff: { baseMs: 5, maxMs: 20 },
    sink: {
      async accept(inbound, route) {
        const res = await inbox.accept({
          dedupeKey: dedupeKey(inbound),
          sessionKey: route.sessionKey,
          agentId: route.agentId,
          payload: { text: inbound.text },
          runId: `run-${++n}`,
        });
        if (res.duplicate) return { accepted: true, duplicate: true };
        received.push({ inbound, route });
        if (o.echo !== false) {
          await adapter.send({ peer: inbound.peer }, {
            text: `**echo** ${inbound.text}`,
            replyTo: inbound.messageId,
          });
        }
        return { accepted: true };
      },
    },
  });
  await adapter.start();
  const until = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    fake,
    store,
    pairing,
    adapter,
    received,
    dir,
    until,
    waitReceived: (count) => until(() => received.length >= count, `${count} accepted messages`),
    async close() {
      await adapter.stop();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
