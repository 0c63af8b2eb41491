/**
 * The WhatsApp Business Cloud API (Graph) as the adapter uses it: send text and media, mark read with a
 * typing indicator, fetch inbound media. Errors become ChannelError: 429 and Meta's throughput codes are
 * rate limits (retried by the outbox), 5xx and network failures are retryable, other 4xx are final.
 */
import type { MediaRef } from "../../core/types.ts";
import { ChannelError } from "../errors.ts";

export interface CloudApiOptions {
  /** Graph API base, e.g. `https://graph.facebook.com/v21.0`. */
  root: string;
  phoneNumberId: string;
  accessToken: string;
  fetch?: typeof fetch;
}

/** A recipient: a user's number (digits, no `+`) or a group id. */
export interface CloudRecipient {
  kind: "direct" | "group";
  to: string;
}

export interface CloudApi {
  /** Sends one text message; returns its `wamid`. */
  sendText(to: CloudRecipient, body: string, replyTo?: string): Promise<string>;
  /** Uploads a file and sends it as an image or document; returns its `wamid`. */
  sendMedia(to: CloudRecipient, media: MediaRef): Promise<string>;
  /** Marks an inbound message read; with `typing`, also shows "typing…" until the next reply. */
  markRead(messageId: string, typing: boolean): Promise<void>;
  /** Downloads an inbound media object, refusing more than `maxBytes`. */
  downloadMedia(mediaId: string, maxBytes: number): Promise<{ bytes: Uint8Array; mime?: string }>;
}

/** Meta error codes that mean "slow down" even when the HTTP status is 400. */
const THROUGHPUT_CODES = new Set([4, 80007, 130429, 131048, 131056]);

export function createCloudApi(options: CloudApiOptions): CloudApi {
  const root = options.root.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const auth = { authorization: `Bearer ${options.accessToken}` };

  const call = async (path: string, init: RequestInit & { what: string }): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(`${root}/${path}`, { ...init, headers: { ...auth, ...init.headers } });
    } catch (err) {
      throw new ChannelError("whatsapp", "http", `WhatsApp Cloud API unreachable (${init.what})`, {
        cause: err,
      });
    }
    if (res.ok) return res;
    throw await apiError(res, init.what);
  };
  const postMessage = async (body: Record<string, unknown>, what: string): Promise<string> => {
    const res = await call(`${options.phoneNumberId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messaging_product: "whatsapp", ...body }),
      what,
    });
    const json = await res.json() as { messages?: { id?: string }[] };
    return json.messages?.[0]?.id ?? "";
  };
  const recipient = (to: CloudRecipient) => ({
    recipient_type: to.kind === "group" ? "group" : "individual",
    to: to.to,
  });

  return {
    sendText: (to, body, replyTo) =>
      postMessage({
        ...recipient(to),
        type: "text",
        text: { body, preview_url: false },
        ...(replyTo ? { context: { message_id: replyTo } } : {}),
      }, "send message"),
    async sendMedia(to, media) {
      const name = media.name ?? media.path.split("/").at(-1) ?? "file";
      const form = new FormData();
      form.append("messaging_product", "whatsapp");
      form.append("type", media.mime ?? "application/octet-stream");
      form.append(
        "file",
        new Blob([await Deno.readFile(media.path)], { type: media.mime ?? "application/octet-stream" }),
        name,
      );
      const res = await call(`${options.phoneNumberId}/media`, {
        method: "POST",
        body: form,
        what: "upload",
      });
      const { id } = await res.json() as { id: string };
      const type = media.kind === "image" ? "image" : "document";
      return postMessage({
        ...recipient(to),
        type,
        [type]: type === "image" ? { id } : { id, filename: name },
      }, "send media");
    },
    async markRead(messageId, typing) {
      await postMessage({
        status: "read",
        message_id: messageId,
        ...(typing ? { typing_indicator: { type: "text" } } : {}),
      }, "mark read");
    },
    async downloadMedia(mediaId, maxBytes) {
      const info = await (await call(encodeURIComponent(mediaId), { what: "media info" })).json() as {
        url?: string;
        mime_type?: string;
        file_size?: number;
      };
      if (!info.url) throw new ChannelError("whatsapp", "api", "WhatsApp returned no media URL");
      if ((info.file_size ?? 0) > maxBytes) throw tooLarge(info.file_size!, maxBytes);
      let res: Response;
      try {
        res = await doFetch(info.url, { headers: auth });
      } catch (err) {
        throw new ChannelError("whatsapp", "http", "WhatsApp media download failed", { cause: err });
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new ChannelError("whatsapp", "http", `WhatsApp media download failed: HTTP ${res.status}`);
      }
      return { bytes: await readCapped(res.body, maxBytes), mime: info.mime_type };
    },
  };
}

async function apiError(res: Response, what: string): Promise<ChannelError> {
  const text = await res.text().catch(() => "");
  let error: { message?: string; code?: number } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch { /* not JSON */ }
  const throttled = res.status === 429 || THROUGHPUT_CODES.has(error.code ?? -1);
  const retryAfter = Number(res.headers.get("retry-after"));
  return new ChannelError(
    "whatsapp",
    "api",
    `WhatsApp ${what}: ${error.message ?? `HTTP ${res.status}`}${error.code ? ` (code ${error.code})` : ""}`,
    {
      status: throttled ? 429 : res.status,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    },
  );
}

/** Reads a body, cancelling it as soon as it passes `maxBytes`. */
export async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    if (size > maxBytes) {
      await body.cancel().catch(() => {});
      throw tooLarge(size, maxBytes);
    }
    parts.push(part);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

function tooLarge(size: number, max: number): ChannelError {
  return new ChannelError("whatsapp", "api", `Attachment of ${size} bytes exceeds the ${max}-byte cap`);
}
