/**
 * A fake WhatsApp Business Cloud API (Graph) on 127.0.0.1: records sent messages, uploads and read
 * marks, serves inbound media, and can answer the next calls with an error (e.g. 429). Plus a webhook
 * sender that signs deliveries with X-Hub-Signature-256 like Meta does.
 */

export interface SentCloudMessage {
  to?: string;
  recipient_type?: string;
  type?: string;
  text?: { body: string };
  context?: { message_id: string };
  status?: string;
  message_id?: string;
  typing_indicator?: { type: string };
  image?: { id: string };
  document?: { id: string; filename?: string };
}

export interface FakeCloud {
  /** Graph API root to configure (`graphApiRoot`). */
  root: string;
  token: string;
  phoneNumberId: string;
  /** Everything POSTed to /messages (messages and read marks), in order. */
  posts: SentCloudMessage[];
  /** Sent messages only (no read marks). */
  sent(): SentCloudMessage[];
  uploads: { type: string; name: string; bytes: number }[];
  /** Answers the next `n` message sends with `status` and Meta error `code`. */
  failNext(n: number, status: number, code?: number): void;
  /** Media an inbound message may reference. */
  addMedia(id: string, bytes: Uint8Array<ArrayBuffer>, mime: string): void;
  waitFor(pred: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function startFakeCloud(o: { phoneNumberId?: string; token?: string } = {}): FakeCloud {
  const phoneNumberId = o.phoneNumberId ?? "100200300";
  const token = o.token ?? "EAAG-test-token";
  const posts: SentCloudMessage[] = [];
  const uploads: FakeCloud["uploads"] = [];
  const media = new Map<string, { bytes: Uint8Array<ArrayBuffer>; mime: string }>();
  let failures: { n: number; status: number; code?: number } = { n: 0, status: 200 };
  let seq = 0;
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req): Promise<Response> => {
      const url = new URL(req.url);
      if (req.headers.get("authorization") !== `Bearer ${token}`) {
        return Response.json({ error: { message: "Invalid OAuth access token", code: 190 } }, {
          status: 401,
        });
      }
      const path = url.pathname.replace(/^\/v\d+\.\d+/, "");
      if (req.method === "GET" && path === `/${phoneNumberId}`) {
        return Response.json({ display_phone_number: "+1 555-000-9999", id: phoneNumberId });
      }
      if (req.method === "POST" && path === `/${phoneNumberId}/messages`) {
        const body = await req.json() as SentCloudMessage;
        if (body.status !== "read" && failures.n > 0) {
          failures.n--;
          return Response.json(
            { error: { message: "Rate limit hit", code: failures.code ?? 130429 } },
            { status: failures.status, headers: failures.status === 429 ? { "retry-after": "0" } : {} },
          );
        }
        posts.push(body);
        if (body.status === "read") return Response.json({ success: true });
        return Response.json({
          messaging_product: "whatsapp",
          contacts: [{ input: body.to, wa_id: body.to }],
          messages: [{ id: `wamid.OUT${++seq}` }],
        });
      }
      if (req.method === "POST" && path === `/${phoneNumberId}/media`) {
        const form = await req.formData();
        const file = form.get("file") as File;
        uploads.push({ type: String(form.get("type")), name: file.name, bytes: file.size });
        return Response.json({ id: `media-${uploads.length}` });
      }
      if (req.method === "GET" && path.startsWith("/files/")) {
        const m = media.get(decodeURIComponent(path.slice(7)));
        return m
          ? new Response(m.bytes.slice(), { headers: { "content-type": m.mime } })
          : new Response("", { status: 404 });
      }
      const m = req.method === "GET" ? media.get(decodeURIComponent(path.slice(1))) : undefined;
      if (m) {
        return Response.json({
          url: `http://127.0.0.1:${server.addr.port}/files/${encodeURIComponent(path.slice(1))}`,
          mime_type: m.mime,
          file_size: m.bytes.length,
          id: path.slice(1),
        });
      }
      return Response.json({ error: { message: `Unknown path ${path}`, code: 100 } }, { status: 400 });
    },
  );
  const root = `http://127.0.0.1:${server.addr.port}/v21.0`;
  return {
    root,
    token,
    phoneNumberId,
    posts,
    sent: () => posts.filter((p) => p.status !== "read"),
    uploads,
    failNext: (n, status, code) => void (failures = { n, status, code }),
    addMedia: (id, bytes, mime) => void media.set(id, { bytes, mime }),
    async waitFor(pred, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`fake cloud: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => server.shutdown(),
  };
}

/** Signs a body with the app secret: the value of X-Hub-Signature-256. */
export async function hubSignature(appSecret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(appSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A webhook delivery carrying `messages` for one phone number id. */
export function cloudDelivery(
  phoneNumberId: string,
  messages: Record<string, unknown>[],
  o: { displayNumber?: string; names?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    object: "whatsapp_business_account",
    entry: [{
      id: "WABA-1",
      changes: [{
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: {
            display_phone_number: o.displayNumber ?? "15550009999",
            phone_number_id: phoneNumberId,
          },
          contacts: Object.entries(o.names ?? {}).map(([wa_id, name]) => ({ wa_id, profile: { name } })),
          messages,
        },
      }],
    }],
  };
}

/** A text message as Meta delivers it. */
export function cloudText(
  from: string,
  id: string,
  body: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { from, id, timestamp: "1767000000", type: "text", text: { body }, ...extra };
}

/** POSTs a delivery to a webhook URL, signed unless `signature` says otherwise. */
export async function postWebhook(
  url: string,
  payload: unknown,
  appSecret: string,
  signature: "good" | "bad" | "none" = "good",
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature === "good") headers["x-hub-signature-256"] = await hubSignature(appSecret, body);
  if (signature === "bad") headers["x-hub-signature-256"] = await hubSignature(`${appSecret}x`, body);
  return await fetch(url, { method: "POST", headers, body });
}
