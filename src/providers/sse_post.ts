/**
 * A streaming model request without an SDK: POST a JSON body, then read the server-sent events of the
 * answer. openai_chat.ts and anthropic.ts speak their APIs through it, so a request in flight holds one
 * fetch and one generator instead of an SDK's request machinery (~15 KiB of live objects per request
 * through the `openai` SDK), and a shard worker does not load the SDKs at all.
 *
 * - Errors keep the SDKs' shape, so classify.ts treats them alike: a non-2xx answer throws an
 *   `HttpStatusError` (`status`, `error` = the body's `error` object, `headers`, message "<status> <text>");
 *   a provider's in-stream error is the caller's to throw as a `StreamEventError`.
 * - `timeoutMs` bounds the wait for the response head (as the SDKs' `timeout` does); the caller's signal
 *   aborts the request at any point.
 * - Once the caller has the event `isLast` marks, the rest of the body (normally just the end of its
 *   chunked framing) is read in the background, ≤ 64 KiB and ≤ 2 s, so a kept-alive connection serves the
 *   next request. A stream the caller stops early is aborted: its connection is closed, not read on.
 */
import { providerFetch } from "./http1_fetch.ts";
import { type SseEvent, sseEvents } from "./sse.ts";
import type { ProviderHttpOptions } from "./types.ts";

/** Error bodies and what is left after the last event are read up to this many bytes. */
const MAX_TAIL_BYTES = 64 * 1024;

/** A non-2xx response, shaped like the SDKs' APIError. */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly error: unknown, readonly headers: Headers, message: string) {
    super(message);
    this.name = "APIError";
  }
}

/** An `error` object a provider sent inside the stream (no HTTP status), as the SDKs report it. */
export class StreamEventError extends Error {
  constructor(readonly error: Record<string, unknown>) {
    super(typeof error.message === "string" ? error.message : JSON.stringify(error));
    this.name = "APIError";
  }
}

/** Where and how a provider's streaming requests go. */
export interface EventEndpoint {
  /** The base URL without a trailing slash (for an SDK client of the same provider). */
  base: string;
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** The longest wait for the response head. */
  timeoutMs: number;
}

/**
 * The endpoint `path` under the configured base URL (or `defaultBase`), with the adapter's own headers
 * and the configured ones over them, names compared without case (as the SDKs' `defaultHeaders` do); the
 * transport is providerFetch's lean fetch for `http:` URLs, else the global fetch; 600 s for the head.
 */
export function eventEndpoint(
  options: ProviderHttpOptions,
  defaultBase: string,
  path: string,
  ours: Record<string, string>,
): EventEndpoint {
  const base = (options.baseUrl ?? defaultBase).replace(/\/+$/, "");
  const headers = { ...ours };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    base,
    url: base + path,
    headers,
    fetch: options.fetch ?? providerFetch(base) ?? fetch,
    timeoutMs: options.timeoutMs ?? 600_000,
  };
}

export interface SsePost extends EventEndpoint {
  /** Builds the JSON body; called once, so no caller frame holds the params while the model thinks. */
  body: () => string;
  signal: AbortSignal;
  /** The event after which the answer is complete. */
  isLast: (event: SseEvent) => boolean;
}

/**
 * An event's JSON data. Data that is not JSON is a SyntaxError ("malformed stream"); an error the provider
 * sent in the stream (an `error` event, `type: "error"`, or an `error` field) is thrown as a StreamEventError.
 */
export function eventData<T>(event: SseEvent): T {
  let data: { type?: unknown; error?: unknown } | null;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw new SyntaxError("malformed stream: a server-sent event that is not JSON");
  }
  if (event.event === "error" || data?.type === "error" || data?.error) {
    const e = data?.error ?? data;
    throw new StreamEventError(
      e && typeof e === "object" ? e as Record<string, unknown> : { message: String(e) },
    );
  }
  return data as T;
}

/** POSTs the request and yields its events (see the module comment for errors, timeout and the tail). */
export async function* postForEvents(o: SsePost): AsyncGenerator<SseEvent> {
  // One controller for the caller's signal and the timeout; aborting it also stops the body's reads.
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(o.signal.reason);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener("abort", onAbort, { once: true });
  let body: ReadableStream<Uint8Array> | undefined;
  let complete = false;
  try {
    body = await send(o, ctl);
    for await (const event of sseEvents(body)) {
      complete = o.isLast(event);
      yield event;
      if (complete) return;
    }
  } finally {
    o.signal.removeEventListener("abort", onAbort);
    if (complete && body) void drain(body, ctl);
    else ctl.abort();
  }
}

/** Sends the request; resolves with the body of a 2xx answer whose head came within the timeout. */
async function send(o: SsePost, ctl: AbortController): Promise<ReadableStream<Uint8Array>> {
  const timer = setTimeout(
    () => ctl.abort(new DOMException(`no response within ${o.timeoutMs} ms`, "TimeoutError")),
    o.timeoutMs,
  );
  try {
    const res = await o.fetch(o.url, {
      method: "POST",
      headers: o.headers,
      body: o.body(),
      signal: ctl.signal,
    });
    if (!res.ok) throw await statusError(res);
    if (!res.body) throw new SyntaxError("malformed stream: a response without a body");
    return res.body;
  } finally {
    clearTimeout(timer);
  }
}

/** The start of a body as text, up to 64 KiB; the rest is cancelled. */
async function readTail(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let size = 0; size < MAX_TAIL_BYTES;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

async function statusError(res: Response): Promise<HttpStatusError> {
  const text = res.body ? await readTail(res.body) : "";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: the text is the message */ }
  const inner = body && typeof body === "object" && "error" in body
    ? (body as { error: unknown }).error
    : body;
  const detail =
    inner && typeof inner === "object" && typeof (inner as { message?: unknown }).message === "string"
      ? (inner as { message: string }).message
      : text.trim().slice(0, 1000) || "status code (no body)";
  return new HttpStatusError(res.status, inner ?? undefined, res.headers, `${res.status} ${detail}`);
}

/** Reads what is left of a finished answer, up to 64 KiB and 2 s, then lets the connection go. */
async function drain(body: ReadableStream<Uint8Array>, ctl: AbortController): Promise<void> {
  const timer = setTimeout(() => ctl.abort(), 2000);
  try {
    await readTail(body);
  } catch {
    /* cut or aborted: the connection is closed either way */
  } finally {
    clearTimeout(timer);
  }
}
