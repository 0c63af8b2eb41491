/**
 * The Cloud API webhook (`/whatsapp/<account>`): the GET verify handshake (`hub.verify_token`, compared in
 * constant time) and POST deliveries, refused unless `X-Hub-Signature-256` is the HMAC-SHA256 of the raw
 * body with the app secret. A delivery is answered 200 only once every message in it is in the inbox;
 * otherwise 503, so Meta delivers it again (the inbox dedupes by message id).
 */
import { Hono } from "hono";
import type { Logger } from "../../core/logger.ts";
import type { CloudWebhookPayload } from "./cloud_inbound.ts";

export interface CloudWebhookDeps {
  accountId: string;
  appSecret: string;
  verifyToken: string;
  /** Handles a verified delivery; false means "not stored, ask for a redelivery". */
  deliver(payload: CloudWebhookPayload): Promise<boolean>;
  logger?: Logger;
}

/** The webhook sub-app; mount it with `app.route("/whatsapp/<accountId>", webhook)`. */
export function createCloudWebhook(deps: CloudWebhookDeps): Hono {
  const app = new Hono();
  const enc = new TextEncoder();
  const hmacKey = crypto.subtle.importKey(
    "raw",
    enc.encode(deps.appSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const tokenMac = hmacKey.then((k) => crypto.subtle.sign("HMAC", k, enc.encode(deps.verifyToken)));

  app.get("/", async (c) => {
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token") ?? "";
    const challenge = c.req.query("hub.challenge") ?? "";
    // HMAC-verify the given token against the stored one's MAC: a constant-time comparison.
    const ok = mode === "subscribe" &&
      await crypto.subtle.verify("HMAC", await hmacKey, await tokenMac, enc.encode(token));
    if (!ok) {
      deps.logger?.warn("WhatsApp webhook verification refused", { accountId: deps.accountId });
      return c.text("forbidden", 403);
    }
    return c.text(challenge, 200);
  });

  app.post("/", async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const header = c.req.header("x-hub-signature-256") ?? "";
    const sig = /^sha256=([0-9a-f]{64})$/i.exec(header)?.[1];
    const valid = sig !== undefined &&
      await crypto.subtle.verify("HMAC", await hmacKey, hexBytes(sig), body);
    if (!valid) {
      deps.logger?.warn("WhatsApp webhook refused: bad or missing X-Hub-Signature-256", {
        accountId: deps.accountId,
      });
      return c.json({ ok: false, error: "invalid signature" }, 401);
    }
    let payload: CloudWebhookPayload;
    try {
      payload = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return c.json({ ok: false, error: "invalid JSON" }, 400);
    }
    if (!payload || typeof payload !== "object" || !Array.isArray(payload.entry)) {
      return c.json({ ok: false, error: "not a webhook delivery" }, 400);
    }
    return (await deps.deliver(payload)) ? c.json({ ok: true }) : c.json({ ok: false, error: "retry" }, 503);
  });
  return app;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
