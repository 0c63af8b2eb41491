import { Hono } from "hono";
import { configSchema } from "../../src/config/schema.ts";
import { whatsappAccountSchema } from "../../src/config/sections/channels.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { openStore, type Store } from "../../src/store/mod.ts";
import { createPairingRepo, type PairingRepo } from "../../src/store/pairing.ts";
import type { Route } from "../../src/routing/resolve_route.ts";
import {
  createWhatsAppCloudAdapter,
  type WhatsAppCloudAdapter,
} from "../../src/channels/whatsapp/cloud_adapter.ts";
import { type FakeCloud, postWebhook, startFakeCloud } from "../fakes/fake_whatsapp_cloud.ts";

export const APP_SECRET = "app-secret-for-tests";
export const VERIFY_TOKEN = "verify-token-0123456789";

export interface CloudHarness {
  fake: FakeCloud;
  store: Store;
  pairing: PairingRepo;
  adapter: WhatsAppCloudAdapter;
  received: Array<{ inbound: InboundMessage; route: Route }>;
  mediaDir: string;
  /** The webhook URL on 127.0.0.1. */
  url: string;
  post(payload: unknown, signature?: "good" | "bad" | "none"): Promise<Response>;
  close(): Promise<void>;
}

/** A fake Graph API, a :memory: store, and a started cloud adapter served on 127.0.0.1. */
export async function cloudHarness(
  o: { account?: Record<string, unknown>; echo?: boolean } = {},
): Promise<CloudHarness> {
  const fake = startFakeCloud();
  const store = await openStore({ url: ":memory:" });
  const pairing = createPairingRepo(store.db);
  const mediaDir = await Deno.makeTempDir({ prefix: "talon-wa-cloud-" });
  const routeConfig = configSchema.parse({ session: { dmScope: "per-channel-peer" } });
  const received: CloudHarness["received"] = [];
  const adapter: WhatsAppCloudAdapter = createWhatsAppCloudAdapter({
    accountId: "biz",
    config: whatsappAccountSchema.parse({
      mode: "cloud",
      phoneNumberId: fake.phoneNumberId,
      accessToken: fake.token,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphApiRoot: fake.root,
      allowFrom: ["+1 555 000 1111"],
      ...o.account,
    }),
    pairing,
    mediaDir,
    routeConfig: () => routeConfig,
    sink: {
      async accept(inbound, route) {
        received.push({ inbound, route });
        if (o.echo !== false) {
          await adapter.send({ peer: inbound.peer }, {
            text: `**echo**: ${inbound.text}`,
            replyTo: inbound.messageId,
          });
        }
        return { accepted: true };
      },
    },
  });
  await adapter.start();
  const app = new Hono();
  app.route("/whatsapp/biz", adapter.webhook);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/whatsapp/biz`;
  return {
    fake,
    store,
    pairing,
    adapter,
    received,
    mediaDir,
    url,
    post: (payload, signature) => postWebhook(url, payload, APP_SECRET, signature),
    async close() {
      await adapter.stop();
      await server.shutdown();
      await fake.close();
      store.close();
      await Deno.remove(mediaDir, { recursive: true });
    },
  };
}
